# Reference values for src/stats/descriptive.ts: R mean, var, sd, quantile (type 7), median,
# coef(lm(y ~ x)).  Run from the repository root:  Rscript test/reference/descriptive.R
source("test/reference/json.R")
set.seed(5)
probs <- c(0, 0.01, 0.1, 0.25, 1/3, 0.5, 0.66, 0.75, 0.9, 0.975, 1)
datasets <- list(
  small = c(1, 2, 3, 4),
  ties = c(3, 1, 3, 3, 2, 8, 8, 1),
  odd = c(1:10, 15),
  normal = rnorm(57, 20, 6),
  phq = sample(0:27, 200, replace = TRUE),
  offset = 1e9 + runif(40),
  single = 7
)
cases <- lapply(names(datasets), function(nm) {
  x <- datasets[[nm]]
  y <- 3 - 0.5 * seq_along(x) + rnorm(length(x))
  line <- if (length(x) > 1) unname(coef(lm(y ~ x))) else c(NA, NA)
  list(name = nm, x = I(x), y = I(y), mean = mean(x), var = if (length(x) > 1) var(x) else NULL,
       sd = if (length(x) > 1) sd(x) else NULL, median = median(x),
       probs = I(probs), quantile7 = I(unname(quantile(x, probs, type = 7))),
       intercept = line[1], slope = line[2],
       # lm() drops x when it is within 1e-7 of collinear with the intercept (the
       # 'offset' case: x = 1e9 + U(0,1)) and reports NA; the closed form still exists:
       slope_cov = if (length(x) > 1) cov(x, y) / var(x) else NULL)
})
write_json_file(list(generator = "test/reference/descriptive.R", r_version = R.version.string, cases = cases),
                "test/reference/descriptive.json")
