# Reference values for RunningMoments (src/stats/descriptive.ts), the streaming mean and SD of
# `alliance trend`'s cohorts, on data whose mean is large against its spread (sd / mean
# from 1e-3 down to 1e-12): scores offset by 1e9, dates as epoch seconds and milliseconds.
# 1. `cases`: R mean() and sd() of each vector, in the order given, and sd(x - x[1]).
# 2. `trend`: a session file (rows) whose outcome is 1e9 + a one-decimal score, two therapists; per
#    therapist and overall, the clients with a first and a later outcome (change = last -
#    first, at one decimal): n, mean change with t.test() CI, sd(pre), sd(change), d = mean / sd(pre),
#    d_z = mean / sd(change). The tool must give these to 1e-9 relative.
# Run from the repository root:  Rscript test/reference/running-moments.R
source("test/reference/json.R")
set.seed(20261207)

cases <- list(
  offset_uniform = 1e9 + runif(40),
  offset_scores = 1e9 + sample(0:27, 300, replace = TRUE),
  offset_tiny = 1e9 + rnorm(100, 0, 1e-3),
  negative_offset = -1e9 - runif(60, 0, 5),
  epoch_seconds = as.numeric(as.POSIXct("2024-01-01", tz = "UTC")) + sample(0:(86400 * 365), 200),
  epoch_millis = 1.7e12 + round(runif(80, 0, 1e4)),
  falling = 1e9 + rev(sort(runif(50))),
  plain = rnorm(30, 20, 6)
)
cases <- lapply(names(cases), function(nm) {
  x <- cases[[nm]]
  # R's var() rounds the mean to a double: at mean 1e9 that adds (ulp / 2)^2 to the
  # variance. x - x[1] is exact there (Sterbenz), so sd(x - x[1]) is the SD without it.
  list(name = nm, x = I(x), mean = mean(x), sd = sd(x), sd_shifted = sd(x - x[1]))
})

# --- trend cohorts on offset outcomes ---
n_clients <- 24
rows <- list()
for (i in seq_len(n_clients)) {
  ns <- sample(2:5, 1)
  pre <- runif(1, 10, 20)
  # One decimal, as recorded scores are (the tool reads a change at the scores' decimals).
  out <- 1e9 + round(pre - cumsum(c(0, runif(ns - 1, 0, 2))), 1)
  rows[[i]] <- data.frame(client = sprintf("C%02d", i), session = seq_len(ns),
                          therapist = if (i %% 2 == 0) "T1" else "T2", score = out)
}
d <- do.call(rbind, rows)
cohort <- function(x) {
  per <- split(x, x$client)
  pre <- sapply(per, function(r) r$score[1])
  chg <- sapply(per, function(r) (round(r$score[nrow(r)] * 10) - round(r$score[1] * 10)) / 10)
  list(completed = length(chg), mean_change = mean(chg), mean_change_ci = I(unname(t.test(chg)$conf.int[1:2])),
       sd_pre = sd(pre), sd_change = sd(chg), d = mean(chg) / sd(pre), dz = mean(chg) / sd(chg))
}
trend <- list(
  rows = lapply(seq_len(nrow(d)), function(k) list(client = d$client[k], session = d$session[k],
                                                   therapist = d$therapist[k], score = d$score[k])),
  overall = cohort(d),
  groups = lapply(c("T1", "T2"), function(t) c(list(group = t), cohort(d[d$therapist == t, ])))
)

write_json_file(list(generator = "test/reference/running-moments.R", r_version = R.version.string,
                     cases = cases, trend = trend),
                "test/reference/running-moments.json")
