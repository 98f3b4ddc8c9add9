# Reference values for several grouping columns (`--by site,therapist`, `by: [site, therapist]`):
# the nested cells of src/analysis/by-column.ts in `alliance trend` and `alliance correlate`,
# computed independently in base R.
#
# 1. Simulates fixtures/by/cells.csv (fixed seed): 80 clients at two sites (S1, S2) and four
#    therapists; T1 and T2 work at both sites, T3 only at S1, T4 only at S2; cell S2 / T1 has
#    3 clients (suppressed at --min-clients 5); six clients move from S1 to S2 (same
#    therapist) for their last two sessions; SRS alliance (integer), ORS outcome (integer:
#    higher is better, reliable change 5 points, clinical if <= 25); ~5% missing cells.
# 2. Per cell (site x therapist), trend's cohort figures: sessions and clients with a session
#    in the cell, mean SRS, share of rated sessions with SRS < 36, mean ORS; the clients whose
#    first session is in the cell (docs/report.md, "Clients who change group"): n, mean
#    change (last - first ORS) with t.test() CI,
#    counts reliably improved (change >= 5, recovered included), recovered (pre <= 25,
#    post > 25), reliably deteriorated (change <= -5).
# 3. Per cell, correlate's within-client r (rmcorr's definition): lm(ors ~ factor(client) +
#    srs) on the rows of the cell with both values; r = sign(b) sqrt(SS_x / (SS_x + SS_res)),
#    residual df, p from the sequential anova.
# Run: Rscript test/reference/by-cells.R   (writes fixtures/by/cells.csv and test/reference/by-cells.json)
library(jsonlite)
set.seed(20261207)

assign <- rbind(
  data.frame(site = "S1", therapist = "T1", n = 14), data.frame(site = "S1", therapist = "T2", n = 12),
  data.frame(site = "S1", therapist = "T3", n = 16), data.frame(site = "S2", therapist = "T1", n = 3),
  data.frame(site = "S2", therapist = "T2", n = 10), data.frame(site = "S2", therapist = "T4", n = 25)
)
cl_site <- rep(assign$site, assign$n); cl_ther <- rep(assign$therapist, assign$n)
n_clients <- length(cl_site)
movers <- c(2, 5, 16, 21, 30, 40) # S1 clients of T1/T2/T3 seen at S2 for their last two sessions
rows <- list()
for (i in seq_len(n_clients)) {
  ns <- if (i %% 17 == 0) 1 else sample(3:10, 1)
  start <- as.Date("2024-01-08") + sample(0:300, 1)
  dates <- start + 7 * (seq_len(ns) - 1)
  u <- rnorm(1, 0, 2.5)
  srs <- pmin(40, pmax(0, round(35 + u + rnorm(ns, 0, 2))))
  ors <- pmin(40, pmax(0, round(19 + 0.5 * u + 1.1 * (seq_len(ns) - 1) + 0.5 * (srs - mean(srs)) + rnorm(ns, 0, 3))))
  site <- rep(cl_site[i], ns)
  if (i %in% movers && ns >= 3) site[(ns - 1):ns] <- "S2"
  rows[[i]] <- data.frame(client_id = sprintf("K%03d", i), therapist_id = cl_ther[i], site = site,
                          session = seq_len(ns), date = format(dates), srs = srs, ors = ors)
}
d <- do.call(rbind, rows)
d$srs[runif(nrow(d)) < 0.05] <- NA
d$ors[runif(nrow(d)) < 0.05] <- NA
write.csv(d, "fixtures/by/cells.csv", row.names = FALSE, na = "", quote = FALSE)

d <- read.csv("fixtures/by/cells.csv", stringsAsFactors = FALSE)
d <- d[order(d$client_id, d$session), ]
d$cell <- paste(d$site, d$therapist_id, sep = " / ")

# Per client: change over the whole course, attributed to the cell of the first session.
first_cell <- c(); change <- c(); pre <- c(); post <- c()
for (id in unique(d$client_id)) {
  x <- d[d$client_id == id, ]
  k <- which(!is.na(x$ors))
  if (length(k) < 2 || x$session[k[length(k)]] <= x$session[k[1]]) next
  pre <- c(pre, x$ors[k[1]]); post <- c(post, x$ors[k[length(k)]])
  change <- c(change, x$ors[k[length(k)]] - x$ors[k[1]])
  first_cell <- c(first_cell, x$cell[1])
}

within <- function(s) {
  s <- s[!is.na(s$srs) & !is.na(s$ors), ]
  s$client <- factor(s$client_id)
  fit <- lm(ors ~ client + srs, data = s)
  a <- anova(fit)
  ssx <- a["srs", "Sum Sq"]; ssr <- a["Residuals", "Sum Sq"]
  list(r = sign(coef(fit)[["srs"]]) * sqrt(ssx / (ssx + ssr)), df = a["Residuals", "Df"], p = a["srs", "Pr(>F)"], n = nrow(s))
}

cells <- list()
for (cell in sort(unique(d$cell))) {
  s <- d[d$cell == cell, ]
  a <- s$srs[!is.na(s$srs)]; o <- s$ors[!is.na(s$ors)]
  ch <- change[first_cell == cell]; p0 <- pre[first_cell == cell]; p1 <- post[first_cell == cell]
  n <- length(ch)
  cells[[cell]] <- list(
    site = s$site[1], therapist = s$therapist_id[1],
    sessions = nrow(s), clients = length(unique(s$client_id)),
    alliance_mean = mean(a), alliance_below_share = mean(a < 36), outcome_mean = mean(o),
    completed = n, mean_change = if (n > 0) mean(ch) else NULL,
    mean_change_ci = if (n >= 2) unname(t.test(ch)$conf.int[1:2]) else NULL,
    reliably_improved = sum(ch >= 5), recovered = sum(ch >= 5 & p0 <= 25 & p1 > 25), deteriorated = sum(ch <= -5),
    within = within(s)
  )
}
out <- list(r_version = R.version.string, min_clients = 5, cells = cells)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), "test/reference/by-cells.json")
