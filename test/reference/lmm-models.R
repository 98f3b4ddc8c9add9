# Reference values for the model checks added after lmm.R (src/stats/lmm, src/analysis/model.ts):
#
#  identify:      models whose client variance is or is not identified (2 and 3 clients taken
#                 from fixtures/model/balanced.csv): the REML deviance over a theta grid (flat
#                 when the client-level fixed effects use up every client), lmerTest's Hessian
#                 eigenvalues, and the full fit where it is identified.
#  satterthwaite: lmerTest's Satterthwaite df (lmerTest:::as_lmerModLT: numDeriv hessian of
#                 devfun_vp and jacobian of get_covbeta in varpar = (theta, sigma)) at a tightly
#                 converged theta, written with 17 significant digits so that the tool can be
#                 evaluated at the identical theta.
#
# Person-mean centring over the rows used, as in lmm.R. Run from the repository root:
#   Rscript test/reference/lmm-models.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest) })
source("test/reference/json.R")

tight_ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))

center <- function(d) {
  d$x_between <- ave(d$alliance, d$client, FUN = mean)
  d$x_within <- d$alliance - d$x_between
  d
}
read_fixture <- function(name) read.csv(file.path("fixtures/model", paste0(name, ".csv")), stringsAsFactors = FALSE)
# the demo data: client_id, srs (alliance), ors (outcome)
read_demo <- function() {
  d <- read.csv("fixtures/demo.csv", stringsAsFactors = FALSE)
  d <- data.frame(client = d$client_id, therapist = d$therapist_id, session = d$session, alliance = d$srs, outcome = d$ors)
  d[complete.cases(d[, c("alliance", "outcome")]), ]
}

fixef_table <- function(fit) {
  co <- summary(fit)$coefficients
  list(term = I(rownames(co)), estimate = I(unname(co[, "Estimate"])), se = I(unname(co[, "Std. Error"])),
       df = I(unname(co[, "df"])), p = I(unname(co[, "Pr(>|t|)"])))
}

# ---- identify -------------------------------------------------------------------------------
bal <- read_fixture("balanced")
identify <- list()
for (k in c(2, 3)) {
  for (cov in if (k == 2) FALSE else c(FALSE, TRUE)) {
    s <- center(bal[bal$client %in% unique(bal$client)[seq_len(k)], ])
    f <- if (cov) y ~ x_within + x_between + age + (1 | client) else y ~ x_within + x_between + (1 | client)
    s$y <- s$outcome
    dev <- lme4::lmer(f, data = s, REML = TRUE, devFunOnly = TRUE)
    grid <- c(0.01, 0.1, 0.5, 1, 2, 5, 10, 100)
    devs <- sapply(grid, dev)
    # where the deviance is flat the tight optimizer wanders to a theta where lme4's
    # factorisation fails; the default fit stops wherever it is (the point of the case)
    fit <- suppressWarnings(tryCatch(lmerTest::lmer(f, data = s, REML = TRUE, control = tight_ctrl),
                                     error = function(e) lmerTest::lmer(f, data = s, REML = TRUE)))
    h <- numDeriv::hessian(lmerTest:::devfun_vp, c(getME(fit, "theta"), sigma(fit)),
                           devfun = lmer(f, data = s, REML = TRUE, devFunOnly = TRUE), reml = TRUE)
    vc <- as.data.frame(VarCorr(fit))
    identify[[length(identify) + 1]] <- list(
      name = sprintf("%d_clients%s", k, if (cov) "_age" else ""), clients = I(unique(s$client)), covariate = cov,
      theta_grid = I(grid), deviance = I(devs), deviance_range = max(devs) - min(devs),
      hessian_eigenvalues = I(eigen(h, symmetric = TRUE)$values),
      fixef = fixef_table(fit), client_variance = vc$vcov[1], residual_variance = vc$vcov[2])
  }
}

# ---- satterthwaite --------------------------------------------------------------------------
unb <- read_fixture("unbalanced")
demo <- read_demo()
sat_case <- function(name, d, formula, reml) {
  d <- center(d)
  d$y <- d$outcome
  fit <- lmerTest::lmer(formula, data = d, REML = reml, control = tight_ctrl)
  L <- setNames(rep(0, length(fixef(fit))), names(fixef(fit)))
  L["x_between"] <- 1
  L["x_within"] <- -1
  ct <- lmerTest::contest1D(fit, L)
  list(name = name, reml = reml, random = if (grepl("session", deparse(formula))) "session" else "x_within",
       time = grepl("\\+ session", deparse(formula)),
       design = list(client = I(d$client), y = I(d$y), x_within = I(d$x_within), x_between = I(d$x_between),
                     session = I(d$session)),
       theta = I(unname(getME(fit, "theta"))), sigma = sigma(fit), singular = isSingular(fit),
       fixef = fixef_table(fit), contextual_df = ct$df)
}
unb_cc <- unb[complete.cases(unb[, c("alliance", "outcome")]), ]
satterthwaite <- list(
  sat_case("balanced_slope_reml", bal, y ~ x_within + x_between + (1 + x_within | client), TRUE),
  sat_case("balanced_slope_ml", bal, y ~ x_within + x_between + (1 + x_within | client), FALSE),
  sat_case("unbalanced_slope_reml", unb_cc, y ~ x_within + x_between + (1 + x_within | client), TRUE),
  sat_case("unbalanced_slope_time_reml", unb_cc, y ~ x_within + x_between + session + (1 + session | client), TRUE),
  sat_case("demo_slope_reml", demo, y ~ x_within + x_between + (1 + x_within | client), TRUE),
  sat_case("demo_slope_ml", demo, y ~ x_within + x_between + (1 + x_within | client), FALSE)
)

# ---- r2, compare, standardized --------------------------------------------------------------
# For `alliance model FILE --outcome outcome --alliance alliance [flags]` on the fixtures and the
# demo data (srs/ors), on the rows the tool uses (every model variable present), centred there:
#  r2:           performance::r2_nakagawa (Nakagawa & Schielzeth 2013; Johnson 2014 / Nakagawa,
#                Johnson & Schielzeth 2017 for random slopes: mean of z' Sigma z over the rows)
#  compare:      anova() of the nested ML sequence: null (the model without the alliance terms),
#                + alliance_within + alliance_between, + the random slope when asked
#  standardized: the "refit" method of effectsize::standardize_parameters: the model frame's
#                outcome and predictors z-scored (datawizard::standardize, SD with n - 1), the
#                model refitted the same way (REML/ML), with lmerTest's Satterthwaite t tests
model_case <- function(name, d, args, time = FALSE, covariates = NULL, slope = NULL, nested = FALSE, ml = FALSE) {
  vars <- c("alliance", "outcome", if (time) "session", covariates)
  md <- center(d[complete.cases(d[, vars]), ])
  md$y <- md$outcome
  fixed <- c("x_within", "x_between", if (time) "session", covariates)
  others <- c(if (time) "session", covariates)
  re_int <- if (nested) "(1 | therapist/client)" else "(1 | client)"
  re <- if (!is.null(slope)) paste0(sprintf("(1 + %s | client)", slope), if (nested) " + (1 | therapist)" else "") else re_int
  f <- as.formula(paste("y ~", paste(fixed, collapse = " + "), "+", re))
  fit <- lmerTest::lmer(f, data = md, REML = !ml, control = tight_ctrl)
  r2 <- suppressWarnings(performance::r2_nakagawa(fit))
  # compare (ML)
  f0 <- as.formula(paste("y ~", if (length(others)) paste(others, collapse = " + ") else "1", "+", re_int))
  f1 <- as.formula(paste("y ~", paste(fixed, collapse = " + "), "+", re_int))
  m0 <- lme4::lmer(f0, data = md, REML = FALSE, control = tight_ctrl)
  m1 <- lme4::lmer(f1, data = md, REML = FALSE, control = tight_ctrl)
  a <- if (!is.null(slope)) anova(m0, m1, lme4::lmer(f, data = md, REML = FALSE, control = tight_ctrl)) else anova(m0, m1)
  # standardized (refit)
  sd_data <- md
  for (v in c("y", fixed)) sd_data[[v]] <- as.numeric(datawizard::standardize(md[[v]]))
  sfit <- lmerTest::lmer(f, data = sd_data, REML = !ml, control = tight_ctrl)
  sco <- summary(sfit)$coefficients
  list(name = name, args = I(args), nobs = nrow(md), singular = isSingular(fit),
       r2 = list(marginal = unname(r2$R2_marginal), conditional = if (is.na(r2$R2_conditional)) NULL else unname(r2$R2_conditional)),
       compare = list(npar = I(unname(a$npar)), AIC = I(unname(a$AIC)), BIC = I(unname(a$BIC)), logLik = I(unname(a$logLik)),
                      deviance = I(unname(a$deviance)), chisq = I(unname(a$Chisq)), df = I(unname(a$Df)), p = I(unname(a[["Pr(>Chisq)"]]))),
       standardized = list(term = I(rownames(sco)), estimate = I(unname(sco[, "Estimate"])), se = I(unname(sco[, "Std. Error"])),
                           df = I(unname(sco[, "df"])), p = I(unname(sco[, "Pr(>|t|)"])),
                           lower = I(unname(sco[, "Estimate"] - qt(0.975, sco[, "df"]) * sco[, "Std. Error"])),
                           upper = I(unname(sco[, "Estimate"] + qt(0.975, sco[, "df"]) * sco[, "Std. Error"]))))
}
nes <- read_fixture("nested")
sing <- read_fixture("singular")
models <- list(
  model_case("balanced_ri_reml", bal, c("fixtures/model/balanced.csv")),
  model_case("balanced_slope_reml", bal, c("fixtures/model/balanced.csv", "--random-slope"), slope = "x_within"),
  model_case("unbalanced_ri_ml", unb, c("fixtures/model/unbalanced.csv", "--ml"), ml = TRUE),
  model_case("unbalanced_time_age_reml", unb, c("fixtures/model/unbalanced.csv", "--time", "--covariate", "age"), time = TRUE, covariates = "age"),
  model_case("unbalanced_slope_time_reml", unb, c("fixtures/model/unbalanced.csv", "--time", "--random-slope", "time"), time = TRUE, slope = "session"),
  model_case("nested_reml", nes, c("fixtures/model/nested.csv", "--group", "therapist"), nested = TRUE),
  model_case("singular_reml", sing, c("fixtures/model/singular.csv")),
  model_case("nested_slope_reml", nes, c("fixtures/model/nested.csv", "--group", "therapist", "--random-slope"), slope = "x_within", nested = TRUE),
  model_case("demo_ri_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs")),
  model_case("demo_slope_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs", "--random-slope"), slope = "x_within")
)

# ---- slope_therapist ------------------------------------------------------------------------
# (1 + x_within | client) + (1 | therapist): the full fit (lmerTest, tight), for
# `alliance model FILE --group therapist --random-slope [--ml] --random-effects`
slope_therapist_case <- function(name, d, args, ml = FALSE) {
  md <- center(d[complete.cases(d[, c("alliance", "outcome")]), ])
  md$y <- md$outcome
  fit <- lmerTest::lmer(y ~ x_within + x_between + (1 + x_within | client) + (1 | therapist), data = md,
                        REML = !ml, control = tight_ctrl)
  vc <- as.data.frame(VarCorr(fit))
  re <- ranef(fit, condVar = TRUE)
  pv_c <- attr(re$client, "postVar")
  pv_t <- attr(re$therapist, "postVar")
  list(name = name, args = I(args), reml = !ml, theta = I(unname(getME(fit, "theta"))),
       fixef = fixef_table(fit), logLik = as.numeric(logLik(fit)),
       varcomp = list(grp = I(vc$grp), var1 = I(vc$var1), var2 = I(vc$var2), vcov = I(vc$vcov), sdcor = I(vc$sdcor)),
       client = list(id = I(rownames(re$client)), intercept = I(re$client[[1]]), slope = I(re$client[[2]]),
                     intercept_sd = I(sqrt(pv_c[1, 1, ])), slope_sd = I(sqrt(pv_c[2, 2, ]))),
       therapist = list(id = I(rownames(re$therapist)), intercept = I(re$therapist[[1]]), intercept_sd = I(sqrt(pv_t[1, 1, ]))))
}
slope_therapist <- list(
  slope_therapist_case("nested_reml", nes, c("fixtures/model/nested.csv")),
  slope_therapist_case("nested_ml", nes, c("fixtures/model/nested.csv", "--ml"), ml = TRUE),
  slope_therapist_case("demo_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs"))
)

# ---- decompose --------------------------------------------------------------------------------
# `alliance model FILE --decompose therapist [--ml] [--time]`: therapist component = mean over
# the therapist's clients of the client means, client = client mean - therapist component,
# session = alliance - client mean (Baldwin, Wampold & Imel 2007); REML/ML with lmerTest;
# therapist ICCs of outcome and alliance from y ~ 1 + (1 | therapist) + (1 | therapist:client)
decompose_case <- function(name, d, args, ml = FALSE, time = FALSE) {
  vars <- c("alliance", "outcome", if (time) "session")
  md <- d[complete.cases(d[, vars]), ]
  md$cm <- ave(md$alliance, md$client, FUN = mean)
  cm <- tapply(md$alliance, md$client, mean)
  ct <- tapply(md$therapist, md$client, function(x) x[1])
  tm <- tapply(cm, ct[names(cm)], mean)
  md$a_therapist <- unname(tm[md$therapist])
  md$a_client <- md$cm - md$a_therapist
  md$a_session <- md$alliance - md$cm
  md$y <- md$outcome
  f <- as.formula(paste("y ~ a_session + a_client + a_therapist", if (time) "+ session", "+ (1 | therapist) + (1 | therapist:client)"))
  fit <- lmerTest::lmer(f, data = md, REML = !ml, control = tight_ctrl)
  icc <- function(v) {
    md$v <- v
    n <- lme4::lmer(v ~ 1 + (1 | therapist) + (1 | therapist:client), data = md, REML = TRUE, control = tight_ctrl)
    vc <- as.data.frame(VarCorr(n))
    vc$vcov[vc$grp == "therapist"] / sum(vc$vcov)
  }
  vc <- as.data.frame(VarCorr(fit))
  list(name = name, args = I(args), fixef = fixef_table(fit), logLik = as.numeric(logLik(fit)),
       varcomp = list(grp = I(vc$grp), vcov = I(vc$vcov)),
       icc_outcome = icc(md$y), icc_alliance = icc(md$alliance))
}
decompose <- list(
  decompose_case("nested_reml", nes, c("fixtures/model/nested.csv")),
  decompose_case("nested_ml", nes, c("fixtures/model/nested.csv", "--ml"), ml = TRUE),
  decompose_case("nested_time_reml", nes, c("fixtures/model/nested.csv", "--time"), time = TRUE),
  decompose_case("demo_reml", demo, c("fixtures/demo.csv", "--outcome", "ors", "--alliance", "srs"))
)

out <- list(
  generated_by = "test/reference/lmm-models.R",
  versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")),
                  numDeriv = as.character(packageVersion("numDeriv")),
                  performance = as.character(packageVersion("performance")),
                  insight = as.character(packageVersion("insight")),
                  datawizard = as.character(packageVersion("datawizard"))),
  identify = identify,
  satterthwaite = satterthwaite,
  models = models,
  slope_therapist = slope_therapist,
  decompose = decompose
)
writeLines(to_json(out), "test/reference/lmm-models.json")
cat("wrote test/reference/lmm-models.json\n")
