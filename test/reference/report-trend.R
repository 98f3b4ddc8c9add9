# Reference values for the trend section of `alliance report --config fixtures/report.yaml`
# (results.json sections.trend), computed independently in base R from fixtures/demo.csv:
# the report's filters (dates 2024-01-01 to 2025-06-30, sessions without a date left out;
# site S1, S2 or S3), outcome ORS (one decimal). Per client, sessions in session order:
# pre = first ORS, post = last ORS at a later session, change = post - pre at one decimal.
# Cohorts: all clients; by quarter of the post session's date; by the site of the pre
# session (docs/trend.md, "Cohort"). Per cohort: n, mean change with t.test() CI, sd(pre),
# sd(change), d = mean / sd(pre), d_z = mean / sd(change), at full precision.
# Run from the repository root:  Rscript test/reference/report-trend.R
source("test/reference/json.R")
d <- read.csv("fixtures/demo.csv", stringsAsFactors = FALSE, na.strings = "")
d$date <- as.Date(d$date)
d <- d[!is.na(d$date) & d$date >= as.Date("2024-01-01") & d$date <= as.Date("2025-06-30") & d$site %in% c("S1", "S2", "S3"), ]
d <- d[order(d$client_id, d$session), ]
clients <- lapply(split(d, d$client_id), function(x) {
  k <- which(!is.na(x$ors))
  if (length(k) < 2 || x$session[k[length(k)]] <= x$session[k[1]]) return(NULL)
  pre <- x$ors[k[1]]; post <- x$ors[k[length(k)]]
  q <- as.POSIXlt(x$date[k[length(k)]])
  list(pre = pre, change = (round(post * 10) - round(pre * 10)) / 10,
       quarter = sprintf("%d-Q%d", q$year + 1900, q$mon %/% 3 + 1), site = x$site[k[1]])
})
clients <- Filter(Negate(is.null), clients)
cohort <- function(cl) {
  pre <- sapply(cl, function(c) c$pre); ch <- sapply(cl, function(c) c$change)
  list(completed = length(ch), mean_change = mean(ch), mean_change_ci = I(unname(t.test(ch)$conf.int[1:2])),
       sd_pre = sd(pre), sd_change = sd(ch), d = mean(ch) / sd(pre), dz = mean(ch) / sd(ch))
}
quarters <- sort(unique(sapply(clients, function(c) c$quarter)))
sites <- sort(unique(sapply(clients, function(c) c$site)))
write_json_file(list(
  generator = "test/reference/report-trend.R", r_version = R.version.string,
  overall = cohort(clients),
  periods = lapply(quarters, function(p) c(list(period = p), cohort(Filter(function(c) c$quarter == p, clients)))),
  groups = lapply(sites, function(s) c(list(group = s), cohort(Filter(function(c) c$site == s, clients))))
), "test/reference/report-trend.json")
