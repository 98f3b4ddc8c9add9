# Reference values for `alliance trend` (src/analysis/trend/*), computed independently in
# base R from a simulated session file.
#
# 1. Simulates fixtures/trend/synthetic.csv (fixed seed): 150 clients, 1-14 sessions, weekly
#    dates in 2024, six therapists (T6 has 3 clients: suppressed at --min-clients 5; five
#    clients change therapist for their last sessions), SRS alliance with one decimal
#    (cut-off 36, any drop of >= 1 point is an alert), PHQ-9 outcome (lower is better,
#    clinical >= 10, reliable change 6 points), ~5% missing cells, rows shuffled.
# 2. Computes per client: sessions, first/last session and date, SRS mean and
#    coef(lm(srs ~ session))[2], PHQ-9 intake/last and slope, change (last - first),
#    points category, SRS sessions below 36 and drops >= 1 from the previous rated session;
#    not on track: intake tertiles (quantile type 7), per (band, session - intake session)
#    cell the 25th percentile (type 7) of improvement (-(phq - intake)) when >= 20 values,
#    flagged when improvement < that percentile;
#    per month and per therapist: sessions, clients, mean SRS, share SRS < 36, mean PHQ-9;
#    clients by the month of their last PHQ-9 session and by the therapist of their first
#    session (docs/report.md, "Clients who change group"): n, mean change with
#    t.test() CI, d = mean change / sd(pre), d_z = mean change / sd(change), shares
#    reliably improved / recovered / deteriorated with prop.test(correct = FALSE) CIs.
# Run: Rscript test/reference/trend.R   (writes fixtures/trend/synthetic.csv and test/reference/trend.json)
library(jsonlite)
set.seed(20261127)

n_clients <- 150
ther <- c(sample(paste0("T", 1:5), n_clients - 3, replace = TRUE), rep("T6", 3))
rows <- list()
for (i in seq_len(n_clients)) {
  ns <- if (i %% 30 == 0) 1 else sample(2:14, 1)
  start <- as.Date("2024-01-01") + sample(0:270, 1)
  gaps <- sample(c(7, 7, 7, 14), ns, replace = TRUE); gaps[1] <- 0
  dates <- start + cumsum(gaps)
  intake <- min(27, max(0, round(rnorm(1, 15, 5))))
  rate <- rnorm(1, 0.6, 0.5)
  phq <- pmin(27, pmax(0, round(intake - rate * (seq_len(ns) - 1) + rnorm(ns, 0, 2))))
  phq[1] <- intake
  srs <- pmin(40, pmax(0, round(rnorm(ns, 36, 2.5), 1)))
  th <- rep(ther[i], ns)
  if (i %in% c(7, 19, 44, 88, 121) && ns >= 3) th[(ns - 1):ns] <- "T1"
  rows[[i]] <- data.frame(client_id = sprintf("C%03d", i), session = seq_len(ns), date = format(dates),
                          therapist = th, srs = srs, phq9 = phq)
}
d <- do.call(rbind, rows)
d$srs[runif(nrow(d)) < 0.05] <- NA
d$phq9[runif(nrow(d)) < 0.05] <- NA
d <- d[sample(nrow(d)), ]
write.csv(d, "fixtures/trend/synthetic.csv", row.names = FALSE, na = "", quote = FALSE)

d <- read.csv("fixtures/trend/synthetic.csv", stringsAsFactors = FALSE)
d$date <- as.Date(d$date)
d <- d[order(d$client_id, d$session), ]
ids <- unique(read.csv("fixtures/trend/synthetic.csv", stringsAsFactors = FALSE)$client_id) # file order

slope <- function(x, y) {
  ok <- !is.na(x) & !is.na(y)
  if (sum(ok) < 2 || length(unique(x[ok])) < 2) return(NULL)
  unname(coef(lm(y[ok] ~ x[ok]))[2])
}
nul <- function(x) if (length(x) == 0 || is.na(x)) NULL else x

# --- ETR cells ---
intake_of <- function(x) { k <- which(!is.na(x$phq9)); if (length(k) == 0) NULL else list(s = x$session[k[1]], v = x$phq9[k[1]]) }
intakes <- sapply(ids, function(id) { it <- intake_of(d[d$client_id == id, ]); if (is.null(it)) NA else it$v })
limits <- unname(quantile(intakes[!is.na(intakes)], c(1 / 3, 2 / 3), type = 7))
band_of <- function(v) 1 + sum(v > limits)
cellvals <- list()
for (id in ids) {
  x <- d[d$client_id == id, ]; it <- intake_of(x); if (is.null(it)) next
  b <- band_of(it$v)
  for (k in seq_len(nrow(x))) {
    off <- x$session[k] - it$s
    if (is.na(x$phq9[k]) || off <= 0) next
    key <- paste(b, off)
    cellvals[[key]] <- c(cellvals[[key]], -(x$phq9[k] - it$v))
  }
}
thresholds <- lapply(cellvals, function(v) if (length(v) >= 20) unname(quantile(v, 0.25, type = 7)) else NA)
cells_used <- sum(!is.na(unlist(thresholds)))

# --- per client ---
clients <- list()
for (id in ids) {
  x <- d[d$client_id == id, ]
  ns <- nrow(x)
  a <- x$srs; o <- x$phq9
  below <- x$session[!is.na(a) & a < 36]
  ra <- which(!is.na(a)); drops <- c()
  if (length(ra) >= 2) for (j in 2:length(ra)) if (a[ra[j - 1]] - a[ra[j]] >= 1) drops <- c(drops, x$session[ra[j]])
  ko <- which(!is.na(o))
  it <- intake_of(x)
  pre <- post <- pre_s <- post_s <- chg <- NULL; cat_ <- NULL; cp <- cq <- NULL; rel <- NULL
  if (length(ko) >= 2 && x$session[ko[length(ko)]] > x$session[ko[1]]) {
    pre <- o[ko[1]]; post <- o[ko[length(ko)]]; pre_s <- x$session[ko[1]]; post_s <- x$session[ko[length(ko)]]
    chg <- post - pre
    better <- -chg
    rel <- if (better >= 6) "improved" else if (-better >= 6) "deteriorated" else "unchanged"
    cp <- pre >= 10; cq <- post >= 10
    cat_ <- if (rel == "improved") (if (cp && !cq) "recovered" else "improved") else
            if (rel == "deteriorated") (if (!cp && cq) "harmed" else "deteriorated") else "unchanged"
  }
  ntp <- c(); assessed <- 0; current <- FALSE; band <- NULL
  if (!is.null(it)) {
    band <- band_of(it$v)
    for (k in seq_len(ns)) {
      off <- x$session[k] - it$s
      if (is.na(o[k]) || off <= 0) next
      th <- thresholds[[paste(band, off)]]
      if (is.null(th) || is.na(th)) next
      assessed <- assessed + 1
      current <- (-(o[k] - it$v)) < th
      if (current) ntp <- c(ntp, x$session[k])
    }
  }
  clients[[length(clients) + 1]] <- list(
    client = id, sessions = ns, first_session = x$session[1], last_session = x$session[ns],
    first_date = format(x$date[1]), last_date = format(x$date[ns]),
    alliance_n = sum(!is.na(a)), alliance_mean = nul(if (all(is.na(a))) NA else mean(a, na.rm = TRUE)),
    alliance_slope = slope(x$session, a), below = I(as.numeric(below)), drops = I(as.numeric(drops)),
    outcome_n = length(ko), intake_session = nul(if (is.null(it)) NA else it$s), intake = nul(if (is.null(it)) NA else it$v),
    last_outcome_session = nul(if (length(ko) == 0) NA else x$session[ko[length(ko)]]),
    last_outcome = nul(if (length(ko) == 0) NA else o[ko[length(ko)]]),
    outcome_slope = slope(x$session, o),
    pre_session = pre_s, pre = pre, post_session = post_s, post = post, change = chg,
    reliable = rel, clinical_pre = cp, clinical_post = cq, category = cat_,
    band = band, ntp_assessed = assessed, ntp_sessions = I(as.numeric(ntp)), ntp_current = current,
    post_month = if (is.null(post_s)) NULL else format(x$date[x$session == post_s][1], "%Y-%m"),
    cell_therapist = x$therapist[x$therapist != ""][1]
  )
}

cohort <- function(sess, cl) {
  ci <- NULL; dd <- NULL; dz <- NULL
  ch <- sapply(cl, function(c) c$change); pr <- sapply(cl, function(c) c$pre)
  cats <- sapply(cl, function(c) c$category)
  n <- length(ch)
  if (n >= 2) {
    ci <- unname(t.test(ch)$conf.int[1:2])
    dd <- mean(ch) / sd(pr); dz <- mean(ch) / sd(ch)
  }
  prop <- function(x) list(x = x, n = n, share = if (n > 0) x / n else NULL,
                           ci = if (n > 0) unname(prop.test(x, n, correct = FALSE)$conf.int[1:2]) else NULL)
  a <- sess$srs[!is.na(sess$srs)]; o <- sess$phq9[!is.na(sess$phq9)]
  list(sessions = nrow(sess), clients = length(unique(sess$client_id)),
       alliance_mean = mean(a), alliance_below_share = mean(a < 36), outcome_mean = mean(o),
       completed = n, mean_change = if (n > 0) mean(ch) else NULL, mean_change_ci = ci,
       sd_pre = if (n >= 2) sd(pr) else NULL, sd_change = if (n >= 2) sd(ch) else NULL, d = dd, dz = dz,
       reliably_improved = prop(sum(cats %in% c("recovered", "improved"))),
       recovered = prop(sum(cats == "recovered")),
       deteriorated = prop(sum(cats %in% c("deteriorated", "harmed"))))
}
completed <- Filter(function(c) !is.null(c$change), clients)
d$month <- format(d$date, "%Y-%m")
months <- sort(unique(d$month))
periods <- lapply(months, function(m) c(list(period = m), cohort(d[d$month == m, ],
  Filter(function(c) c$post_month == m, completed))))
thers <- sort(unique(d$therapist))
groups <- list(); suppressed <- c()
for (t in thers) {
  s <- d[d$therapist == t, ]
  if (length(unique(s$client_id)) < 5) { suppressed <- c(suppressed, t); next }
  groups[[length(groups) + 1]] <- c(list(group = t), cohort(s, Filter(function(c) identical(c$cell_therapist, t), completed)))
}
overall <- cohort(d, completed)
cats <- sapply(completed, function(c) c$category)

writeLines(toJSON(list(
  generated_by = "test/reference/trend.R",
  r_version = R.version.string,
  packages = list(jsonlite = as.character(packageVersion("jsonlite"))),
  input = list(file = "fixtures/trend/synthetic.csv", rows = nrow(d), clients = length(ids),
               rc_threshold = 6, clinical_if = ">= 10", alliance_cutoff = 36, drop = 1,
               ntp_quantile = 0.25, ntp_min_clients = 20, ntp_bands = 3),
  etr = list(limits = limits, cells_used = cells_used, cells_too_small = length(thresholds) - cells_used),
  summary = list(used = length(completed), excluded = length(ids) - length(completed),
                 categories = as.list(table(factor(cats, levels = c("recovered", "improved", "unchanged", "deteriorated", "harmed")))),
                 overall = overall),
  clients = clients, periods = periods, groups = groups, suppressed = I(as.character(suppressed))
), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "test/reference/trend.json")
