# Reference values for the therapist feedback pages (report.perTherapist: true,
# src/report/batch/therapists.ts), computed independently in base R.
#
# 1. Simulates fixtures/therapists/clinic.csv (fixed seed): 7 therapists at one clinic,
#    5 with 14-24 clients, one whose id is a person's name ("Anna Berg": the pages must show
#    it as a pseudonym) and T07 with 3 clients (suppressed at minClients 5); 3-12 weekly
#    sessions; SRS alliance and ORS outcome as integers (ORS: higher is better, reliable
#    change 5 points, clinical if <= 25; SRS alert below 36); ~4% missing cells.
# 2. Per therapist and for the clinic (all clients): sessions and clients seen; mean SRS and
#    share of rated sessions with SRS < 36; mean ORS; the clients with a change (last - first
#    ORS at a later session): n, mean change with t.test() CI, reliably improved (change >= 5,
#    recovered included), recovered (pre <= 25, post > 25), reliably deteriorated
#    (change <= -5), each with prop.test(correct = FALSE) (Wilson) 95% intervals.
# Run: Rscript test/reference/therapist-pages.R
#      (writes fixtures/therapists/clinic.csv and test/reference/therapist-pages.json)
library(jsonlite)
set.seed(20261208)

ther <- c("T01", "T02", "T03", "T04", "T05", "Anna Berg", "T07")
n_per <- c(18, 22, 14, 24, 16, 15, 3)
eff <- c(0.4, -0.3, 0.8, 0, -0.6, 0.2, 0.5) # therapist effect on the slope
rows <- list(); k <- 0
for (t in seq_along(ther)) {
  for (j in seq_len(n_per[t])) {
    k <- k + 1
    ns <- if (k %% 19 == 0) 1 else sample(3:12, 1)
    start <- as.Date("2024-01-08") + sample(0:330, 1)
    u <- rnorm(1, 0, 2.5)
    srs <- pmin(40, pmax(0, round(35.5 + u + rnorm(ns, 0, 2))))
    ors <- pmin(40, pmax(0, round(19 + 0.4 * u + (1 + eff[t]) * (seq_len(ns) - 1) + 0.4 * (srs - mean(srs)) + rnorm(ns, 0, 3))))
    rows[[k]] <- data.frame(client_id = sprintf("P%03d", k), therapist = ther[t], session = seq_len(ns),
                            date = format(start + 7 * (seq_len(ns) - 1)), srs = srs, ors = ors)
  }
}
d <- do.call(rbind, rows)
d$srs[runif(nrow(d)) < 0.04] <- NA
d$ors[runif(nrow(d)) < 0.04] <- NA
dir.create("fixtures/therapists", showWarnings = FALSE)
write.csv(d, "fixtures/therapists/clinic.csv", row.names = FALSE, na = "", quote = FALSE)

d <- read.csv("fixtures/therapists/clinic.csv", stringsAsFactors = FALSE)
d <- d[order(d$client_id, d$session), ]

# Per client: change over the whole course, with the therapist of the first session
# (docs/report.md, "Clients who change group"; no client changes therapist here).
cl <- do.call(rbind, lapply(split(d, d$client_id), function(x) {
  k <- which(!is.na(x$ors))
  if (length(k) < 2 || x$session[k[length(k)]] <= x$session[k[1]]) return(NULL)
  data.frame(therapist = x$therapist[1], pre = x$ors[k[1]], post = x$ors[k[length(k)]])
}))
cl$change <- cl$post - cl$pre

prop <- function(x, n) list(x = x, n = n, share = x / n, ci = unname(prop.test(x, n, correct = FALSE)$conf.int[1:2]))
figures <- function(s, c) {
  a <- s$srs[!is.na(s$srs)]; o <- s$ors[!is.na(s$ors)]; n <- nrow(c)
  list(sessions = nrow(s), clients = length(unique(s$client_id)),
       alliance_mean = mean(a), alliance_below_share = mean(a < 36), outcome_mean = mean(o),
       completed = n, mean_change = mean(c$change), mean_change_ci = unname(t.test(c$change)$conf.int[1:2]),
       reliably_improved = prop(sum(c$change >= 5), n),
       recovered = prop(sum(c$change >= 5 & c$pre <= 25 & c$post > 25), n),
       deteriorated = prop(sum(c$change <= -5), n))
}
therapists <- list()
for (t in sort(unique(d$therapist))) therapists[[t]] <- figures(d[d$therapist == t, ], cl[cl$therapist == t, ])
out <- list(r_version = R.version.string, min_clients = 5, clinic = figures(d, cl), therapists = therapists)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/reference/therapist-pages.json")
