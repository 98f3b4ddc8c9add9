# Reference values for src/stats/partial.ts.
# ppcor is not installed: its pcor()/spcor() formulas are implemented below in base R,
# transcribed from the ppcor source (R/ppcor.R): estimate from the inverse covariance
# matrix, statistic = r * sqrt((n - 2 - gp) / (1 - r^2)), p = 2 * pt(-|t|, n - 2 - gp).
# Cross-checked against psych::partial.r and lm residuals.
# Run from the repository root:  Rscript test/reference/partial.R
source("test/reference/json.R")
ppcor_pcor <- function(X) {
  n <- nrow(X); gp <- ncol(X) - 2
  S <- cov(X); P <- solve(S)
  pc <- -cov2cor(P); diag(pc) <- 1
  sp <- -cov2cor(P) / sqrt(diag(S)) / sqrt(abs(diag(P) - t(t(P^2) / diag(P)))); diag(sp) <- 1
  r <- pc[1, 2]; sr <- sp[1, 2]
  df <- n - 2 - gp
  t_p <- r * sqrt(df / (1 - r^2)); t_s <- sr * sqrt(df / (1 - sr^2))
  list(n = n, k = gp, df = df,
       partial = list(r = r, t = t_p, p = 2 * pt(-abs(t_p), df),
                      ci = if (n - gp - 3 > 0) I(tanh(atanh(r) + c(-1, 1) * qnorm(0.975) / sqrt(n - gp - 3))) else NULL),
       semipartial = list(r = sr, t = t_s, p = 2 * pt(-abs(t_s), df)))
}
set.seed(99)
cases <- list()
add <- function(name, x, y, Z) {
  X <- cbind(x, y, Z)
  res <- ppcor_pcor(X)
  # independent cross-checks
  res$psych_partial_r <- psych::partial.r(as.data.frame(X), c(1, 2), seq_len(ncol(Z)) + 2)[1, 2]
  res$lm_semipartial <- cor(x, resid(lm(y ~ Z)))
  res$lm_partial <- cor(resid(lm(x ~ Z)), resid(lm(y ~ Z)))
  cases[[length(cases) + 1]] <<- c(list(name = name, x = I(x), y = I(y), Z = lapply(seq_len(ncol(Z)), function(j) I(Z[, j]))), res)
}
n <- 40
intake <- rnorm(n, 15, 5)
alliance <- 30 + 0.2 * intake + rnorm(n, 0, 3)
final <- 0.6 * intake - 0.4 * alliance + rnorm(n, 0, 3)
add("early_alliance_k1", alliance, final, cbind(intake))
age <- round(runif(n, 18, 70))
add("k2", alliance, final, cbind(intake, age))
n2 <- 8
a2 <- rnorm(n2); b2 <- a2 + rnorm(n2); c2 <- rnorm(n2); d2 <- rnorm(n2); e2 <- rnorm(n2)
add("small_k3", a2, b2, cbind(c2, d2, e2))   # n - k - 3 = 2
n3 <- 250
z1 <- rnorm(n3); z2 <- rnorm(n3) + 0.5 * z1
xx <- z1 + rnorm(n3); yy <- -0.3 * xx + z2 + rnorm(n3)
add("n250_k2", xx, yy, cbind(z1, z2))
out <- list(generator = "test/reference/partial.R", r_version = R.version.string,
            psych_version = as.character(packageVersion("psych")), cases = cases)
write_json_file(out, "test/reference/partial.json")
