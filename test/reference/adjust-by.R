# Reference for Holm's family with a one-level --by (test/analysis/correlate-adjust-by.test.ts):
# fixtures/demo.csv restricted to site S1, so `--by site` has one level holding every row.
# The family is the 4 distinct tests of `--analyses pooled,between` (srs x ors, srs x phq9);
# the group repeats them and is not counted again.
# Run from the repository root:  Rscript test/reference/adjust-by.R
source("test/reference/json.R")
d <- read.csv("fixtures/demo.csv", stringsAsFactors = FALSE)
d <- d[d$site == "S1", ]
tests <- list()
for (outcome in c("ors", "phq9")) {
  ok <- !is.na(d$srs) & !is.na(d[[outcome]])
  x <- d$srs[ok]; y <- d[[outcome]][ok]; id <- d$client_id[ok]
  pooled <- cor.test(x, y)
  mx <- tapply(x, id, mean); my <- tapply(y, id, mean)
  between <- cor.test(as.numeric(mx), as.numeric(my[names(mx)]))
  tests[[length(tests) + 1]] <- list(outcome = outcome, analysis = "pooled", r = unname(pooled$estimate), p = pooled$p.value)
  tests[[length(tests) + 1]] <- list(outcome = outcome, analysis = "between", r = unname(between$estimate), p = between$p.value)
}
p <- vapply(tests, function(t) t$p, numeric(1))
holm <- p.adjust(p, "holm")
bh <- p.adjust(p, "BH")
for (i in seq_along(tests)) { tests[[i]]$holm <- holm[i]; tests[[i]]$bh <- bh[i] }
write_json_file(list(generator = "test/reference/adjust-by.R", r_version = R.version.string,
                     site = "S1", rows = nrow(d), tests = tests),
                "test/reference/adjust-by.json")
