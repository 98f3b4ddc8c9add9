# Reference values for src/stats/rank.ts: R rank(), cor.test(method = "spearman", exact = FALSE).
# Run from the repository root:  Rscript test/reference/rank.R   (then python3 test/reference/rank.py)
source("test/reference/json.R")
set.seed(7)
datasets <- list(
  small = list(x = c(1, 2, 3, 4, 5), y = c(2, 1, 4, 3, 5)),
  ties = list(x = c(3, 1, 3, 2, 5, 5, 5, 4, 1, 2), y = c(10, 12, 11, 11, 15, 14, 15, 13, 9, 11)),
  likert = list(x = sample(0:10, 40, replace = TRUE), y = sample(0:3, 40, replace = TRUE)),
  srs_ors = list(x = round(runif(60, 25, 40)), y = round(runif(60, 10, 40))),
  continuous = list(x = rnorm(100), y = rnorm(100)),
  n4 = list(x = c(4, 1, 3, 2), y = c(1, 2, 4, 3))
)
datasets$continuous$y <- datasets$continuous$x * 0.4 + datasets$continuous$y
cases <- lapply(names(datasets), function(nm) {
  d <- datasets[[nm]]
  n <- length(d$x)
  ct <- cor.test(d$x, d$y, method = "spearman", exact = FALSE)
  rho <- unname(ct$estimate)
  se <- sqrt((1 + rho^2 / 2) / (n - 3))       # Bonett & Wright (2000)
  list(name = nm, x = I(d$x), y = I(d$y), n = n,
       rank_x = I(rank(d$x)), rank_y = I(rank(d$y)),
       rho = rho, S = unname(ct$statistic), p = ct$p.value,
       ci_bw = I(tanh(atanh(rho) + c(-1, 1) * qnorm(0.975) * se)))
})
write_json_file(list(generator = "test/reference/rank.R", r_version = R.version.string, cases = cases),
                "test/reference/rank.json")
