# Reference for `alliance describe` on fixtures/describe/small.csv, computed in base R.
# Run from the repository root: Rscript test/reference/describe.R (writes test/reference/describe.json)
d <- read.csv("fixtures/describe/small.csv", na.strings = c("", "NA", "N/A", "."), stringsAsFactors = FALSE)
per_client <- as.numeric(table(d$client_id))
num <- function(x) sprintf("%.17g", x)
measure <- function(col, cutoff, clinical) {
  x <- d[[col]]
  ok <- !is.na(x)
  # intake: each client's earliest session with a value
  dd <- d[ok, ]
  intake <- sapply(split(dd, dd$client_id), function(g) g[[col]][which.min(g$session)])
  beyond <- mean(clinical(intake, cutoff))
  sprintf('{"column": "%s", "n": %d, "missing": %d, "mean": %s, "sd": %s, "min": %s, "max": %s, "intakeClients": %d, "intakeBeyondCutoff": %s}',
          col, sum(ok), sum(!ok), num(mean(x, na.rm = TRUE)), num(sd(x, na.rm = TRUE)), num(min(x, na.rm = TRUE)),
          num(max(x, na.rm = TRUE)), length(intake), num(beyond))
}
q <- quantile(per_client, c(0.25, 0.5, 0.75), type = 7)
out <- paste0('{\n"r_version": "', R.version.string, '",\n',
  '"rows": ', nrow(d), ', "clients": ', length(per_client), ', "therapists": ', length(unique(d$therapist)), ',\n',
  '"sessionsPerClient": {"min": ', num(min(per_client)), ', "q1": ', num(q[[1]]), ', "median": ', num(q[[2]]),
  ', "q3": ', num(q[[3]]), ', "max": ', num(max(per_client)), ', "mean": ', num(mean(per_client)), '},\n',
  '"singleSession": {"clients": ', sum(per_client == 1), ', "share": ', num(mean(per_client == 1)), '},\n',
  '"dateSpan": {"first": "', min(d$date), '", "last": "', max(d$date), '"},\n',
  '"measures": [\n', measure("srs", 36, function(v, c) v < c), ',\n', measure("phq9", 10, function(v, c) v >= c), '\n]}\n')
cat(out, file = "test/reference/describe.json")
