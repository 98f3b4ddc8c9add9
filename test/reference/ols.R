# Reference values for src/stats/ols.ts and src/stats/within.ts: R lm(), summary.lm(), confint(), and the
# fixed-effects regression lm(y ~ x1 + x2 + factor(client)).
# Run from the repository root:  Rscript test/reference/ols.R
source("test/reference/json.R")
fit_out <- function(fit, terms) {
  s <- summary(fit)$coefficients
  ci <- confint(fit)
  list(coefficients = I(unname(s[terms, 1])), se = I(unname(s[terms, 2])), t = I(unname(s[terms, 3])),
       p = I(unname(s[terms, 4])), ci_low = I(unname(ci[terms, 1])), ci_high = I(unname(ci[terms, 2])),
       df = fit$df.residual, sigma = summary(fit)$sigma, rss = sum(resid(fit)^2))
}
set.seed(11)
# 1. general OLS with intercept and two predictors
n <- 25
x1 <- rnorm(n, 30, 4); x2 <- rbinom(n, 1, 0.4)
y <- 5 + 0.3 * x1 - 2 * x2 + rnorm(n, 0, 2)
fit1 <- lm(y ~ x1 + x2)
ols_cases <- list(c(list(name = "intercept_2pred", X = lapply(seq_len(n), function(i) I(c(1, x1[i], x2[i]))), y = I(y)),
                    fit_out(fit1, c("(Intercept)", "x1", "x2"))))
# 2. simple line, hand-checkable
xs <- c(1, 2, 3, 4); ys <- c(1, 3, 2, 5)
fit2 <- lm(ys ~ xs)
ols_cases[[2]] <- c(list(name = "line4", X = lapply(1:4, function(i) I(c(1, xs[i]))), y = I(ys)),
                    fit_out(fit2, c("(Intercept)", "xs")))
# 3. badly scaled predictors (scores around 1e4 and 1e-3)
x3 <- 1e4 + rnorm(n); x4 <- 1e-3 * rnorm(n)
y3 <- 2 + 0.5 * x3 + 300 * x4 + rnorm(n)
fit3 <- lm(y3 ~ x3 + x4)
ols_cases[[3]] <- c(list(name = "badly_scaled", X = lapply(seq_len(n), function(i) I(c(1, x3[i], x4[i]))), y = I(y3)),
                    fit_out(fit3, c("(Intercept)", "x3", "x4")))
# 4. rank deficient: x5 = 2 * x1 + 1 -> R reports NA for x5
x5 <- 2 * x1 + 1
fit4 <- lm(y ~ x1 + x5)
rank_def <- list(X = lapply(seq_len(n), function(i) I(c(1, x1[i], x5[i]))), y = I(y),
                 r_coef_na = I(is.na(coef(fit4))), r_rank = fit4$rank)

# 5. fixed client effects: lagged outcome model on simulated sessions
G <- 15
sizes <- c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4, 6, 8, 3, 12)
client <- rep(sprintf("client-%02d", 1:G), sizes)
u <- rep(rnorm(G, 0, 4), sizes)
alliance <- 30 + rep(rnorm(G, 0, 3), sizes) + rnorm(length(client), 0, 2)
phq_now <- 15 + u + rnorm(length(client), 0, 3)
phq_next <- 0.4 * phq_now - 0.3 * alliance + u + rnorm(length(client), 0, 2)
alliance[c(5, 20)] <- NA; phq_next[33] <- NA
d <- data.frame(client, phq_next, phq_now, alliance)
fe <- lm(phq_next ~ phq_now + alliance + factor(client), data = d)
cc <- na.omit(d)
fe_case <- c(list(name = "lagged_fe", client = I(client), y = I(phq_next), x1 = I(phq_now), x2 = I(alliance),
                  n_obs = nrow(cc), n_clients = length(unique(cc$client))),
             fit_out(fe, c("phq_now", "alliance")))
# 6. one predictor, no singleton clients
fe1 <- lm(phq_next ~ alliance + factor(client), data = d)
fe1_case <- c(list(name = "one_pred"), fit_out(fe1, c("alliance")))
out <- list(generator = "test/reference/ols.R", r_version = R.version.string,
            ols = ols_cases, rank_deficient = rank_def, fixed_effects = fe_case, fixed_effects_one = fe1_case)
write_json_file(out, "test/reference/ols.json")
