# Reference values for the linear mixed models of `alliance model` (src/stats/lmm, src/analysis/model.ts).
#
# Writes fixtures/model/*.csv (synthetic session data) and test/reference/lmm.json with, for each
# case, the design actually fitted (response, fixed-effect columns, client ids) and lme4 / lmerTest
# results: fixed effects, SE, Satterthwaite df, t, p, 95% CI (estimate +- qt(.975, df) SE), variance
# components, logLik, REML criterion / deviance, AIC, BIC, BLUPs, ICC of the null model.
#
# Person-mean centring is done over the rows that enter the model (all model variables
# non-missing): alliance_between = client mean, alliance_within = alliance - client mean.
# Lagged models pair session s with session s + 1 of the same client (consecutive numbers only);
# the centring is over the alliance (or outcome, --reverse) at s of the pairs used.
#
# Run from the repository root:  Rscript test/reference/lmm.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest); library(jsonlite) })

set.seed(20261127)

make_data <- function(n_clients, max_sessions, sd_u, sd_slope = 0, p_missing_session = 0,
                      p_na = 0, min_sessions = 2, n_therapists = 0, sd_ther = 0, fixed_sessions = FALSE) {
  rows <- list()
  ther_eff <- if (n_therapists > 0) rnorm(n_therapists, 0, sd_ther) else 0
  for (i in seq_len(n_clients)) {
    ns <- if (fixed_sessions) max_sessions else sample(min_sessions:max_sessions, 1)
    sess <- seq_len(ns)
    if (p_missing_session > 0) {
      keep <- runif(ns) > p_missing_session
      keep[1] <- TRUE
      sess <- sess[keep]
    }
    th <- if (n_therapists > 0) ((i - 1) %% n_therapists) + 1 else NA
    u <- rnorm(1, 0, sd_u) + if (n_therapists > 0) ther_eff[th] else 0
    slope <- rnorm(1, 0, sd_slope)
    a_mean <- rnorm(1, 30, 4)
    alliance <- round(a_mean + rnorm(length(sess), 0, 3) + 0.3 * sess, 1)
    outcome <- round(20 + u + 0.4 * (a_mean - 30) + (0.5 + slope) * (alliance - a_mean) + 0.8 * sess +
                     rnorm(length(sess), 0, 4), 1)
    d <- data.frame(client = sprintf("C%03d", i), session = sess, alliance = alliance, outcome = outcome,
                    therapist = if (n_therapists > 0) sprintf("T%02d", th) else NA_character_,
                    stringsAsFactors = FALSE)
    rows[[i]] <- d
  }
  d <- do.call(rbind, rows)
  if (p_na > 0) {
    d$alliance[runif(nrow(d)) < p_na] <- NA
    d$outcome[runif(nrow(d)) < p_na] <- NA
  }
  d
}

datasets <- list(
  balanced = make_data(30, 8, sd_u = 3, sd_slope = 0.6, fixed_sessions = TRUE),
  unbalanced = make_data(45, 12, sd_u = 4, sd_slope = 0.3, p_missing_session = 0.2, p_na = 0.05, min_sessions = 1),
  singular = make_data(25, 6, sd_u = 0, min_sessions = 3),
  nested = make_data(60, 8, sd_u = 2.5, n_therapists = 12, sd_ther = 3, min_sessions = 3)
)
# a client-level numeric covariate (age), drawn after the data so the stream above is unchanged;
# a few cells missing in the unbalanced set
set.seed(7)
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  ids <- unique(d$client)
  age <- setNames(round(runif(length(ids), 18, 70)), ids)
  d$age <- unname(age[d$client])
  if (nm == "unbalanced") d$age[runif(nrow(d)) < 0.04] <- NA
  datasets[[nm]] <- d
}
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  out <- d
  if (all(is.na(out$therapist))) out$therapist <- NULL
  write.csv(out, file.path("fixtures/model", paste0(nm, ".csv")), row.names = FALSE, na = "")
}

center <- function(d, x) {
  m <- ave(d[[x]], d$client, FUN = mean)
  d[[paste0(x, "_between")]] <- m
  d[[paste0(x, "_within")]] <- d[[x]] - m
  d
}

lag_pairs <- function(d, pred, resp) {
  d <- d[order(d$client, d$session), ]
  out <- list()
  for (cl in unique(d$client)) {
    s <- d[d$client == cl, ]
    if (nrow(s) < 2) next
    for (r in 1:(nrow(s) - 1)) {
      if (s$session[r + 1] == s$session[r] + 1) {
        out[[length(out) + 1]] <- data.frame(client = cl, session = s$session[r], therapist = s$therapist[r],
                                             x = s[[pred]][r], y_prev = s[[resp]][r], y = s[[resp]][r + 1])
      }
    }
  }
  p <- do.call(rbind, out)
  p <- p[complete.cases(p[, c("x", "y_prev", "y")]), ]
  p
}

# prepare: returns list(data = model frame, y, X column names, formula)
prepare <- function(d, spec) {
  if (!is.null(spec$lag)) {
    pred <- if (isTRUE(spec$reverse)) "outcome" else "alliance"
    resp <- if (isTRUE(spec$reverse)) "alliance" else "outcome"
    p <- lag_pairs(d, pred, resp)
    p <- center(p, "x")
    md <- data.frame(client = p$client, therapist = p$therapist, y = p$y,
                     x_within = p$x_within, x_between = p$x_between, y_prev = p$y_prev, session = p$session)
    xcols <- c("x_within", "x_between", "y_prev")
    if (isTRUE(spec$time)) xcols <- c(xcols, "session")
  } else {
    vars <- c("alliance", "outcome", if (isTRUE(spec$time)) "session", unlist(spec$covariates))
    md <- d[complete.cases(d[, vars]), ]
    md <- center(md, "alliance")
    md$y <- md$outcome
    md$x_within <- md$alliance_within
    md$x_between <- md$alliance_between
    xcols <- c("x_within", "x_between", if (isTRUE(spec$time)) "session", unlist(spec$covariates))
  }
  slope_var <- if (isTRUE(spec$slope_time)) "session" else "x_within"
  re <- if (isTRUE(spec$random_slope)) sprintf("(1 + %s | client)", slope_var) else
        if (isTRUE(spec$nested)) "(1 | therapist/client)" else "(1 | client)"
  f <- as.formula(paste("y ~", paste(xcols, collapse = " + "), "+", re))
  list(data = md, xcols = xcols, formula = f)
}

summarise_fit <- function(fit) {
  co <- summary(fit)$coefficients
  qt975 <- qt(0.975, co[, "df"])
  vc <- as.data.frame(VarCorr(fit))
  re <- ranef(fit, condVar = TRUE)
  blups <- lapply(names(re), function(g) {
    r <- re[[g]]
    pv <- attr(r, "postVar")
    list(group = g, levels = I(rownames(r)), values = lapply(seq_len(ncol(r)), function(j) I(unname(r[[j]]))),
         terms = I(colnames(r)),
         # conditional SDs, sqrt of the diagonal of lme4's postVar (condVar = TRUE)
         condsd = lapply(seq_len(ncol(r)), function(j) I(sqrt(pv[j, j, ]))))
  })
  ll <- logLik(fit)
  list(
    reml = isREML(fit),
    nobs = nobs(fit), ngroups = as.list(ngrps(fit)),
    fixef = list(term = rownames(co), estimate = unname(co[, "Estimate"]), se = unname(co[, "Std. Error"]),
                 df = unname(co[, "df"]), t = unname(co[, "t value"]), p = unname(co[, "Pr(>|t|)"]),
                 lower = unname(co[, "Estimate"] - qt975 * co[, "Std. Error"]),
                 upper = unname(co[, "Estimate"] + qt975 * co[, "Std. Error"])),
    varcomp = list(grp = I(vc$grp), var1 = I(vc$var1), var2 = I(vc$var2), vcov = I(vc$vcov), sdcor = I(vc$sdcor)),
    theta = I(unname(getME(fit, "theta"))), sigma = sigma(fit),
    logLik = as.numeric(ll), df_logLik = attr(ll, "df"),
    REMLcrit = if (isREML(fit)) REMLcrit(fit) else NULL,
    deviance_ml = if (!isREML(fit)) deviance(fit) else NULL,
    AIC = AIC(fit), BIC = BIC(fit),
    singular = isSingular(fit),
    optimizer_message = fit@optinfo$message,
    blups = blups,
    # lmerTest's asymptotic covariance of (theta, sigma): 2 * pseudo-inverse of the deviance Hessian
    vcov_varpar = lapply(seq_len(nrow(fit@vcov_varpar)), function(i) I(unname(fit@vcov_varpar[i, ]))),
    # contextual effect (Curran & Bauer 2011): between - within, Satterthwaite t test as lmerTest::contest1D
    contextual = {
      L <- setNames(rep(0, length(fixef(fit))), names(fixef(fit)))
      L["x_between"] <- 1
      L["x_within"] <- -1
      ct <- lmerTest::contest1D(fit, L, confint = TRUE)
      list(estimate = ct$Estimate, se = ct$`Std. Error`, df = ct$df, t = ct$`t value`, p = ct$`Pr(>|t|)`,
           lower = ct$lower, upper = ct$upper)
    }
  )
}

# lme4's default nloptwrap settings stop BOBYQA at xtol_abs = ftol_abs = 1e-8, which leaves
# theta (and so the Satterthwaite df and the BLUPs) a few 1e-5 away from the optimum for
# models with several variance parameters. The primary reference is therefore a fit converged
# tightly; the default fit is kept under `default` (estimates, SEs, variance components agree
# with it to 1e-4 as well).
tight_ctrl <- lmerControl(optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))

fit_case <- function(name, dataset, spec) {
  d <- datasets[[dataset]]
  pr <- prepare(d, spec)
  md <- pr$data
  fit <- lmerTest::lmer(pr$formula, data = md, REML = !isTRUE(spec$ml))
  tight <- lmerTest::lmer(pr$formula, data = md, REML = !isTRUE(spec$ml), control = tight_ctrl)
  null <- lme4::lmer(y ~ 1 + (1 | client), data = md, REML = TRUE, control = tight_ctrl)
  nvc <- as.data.frame(VarCorr(null))
  c(
    list(name = name, dataset = dataset, spec = spec,
         design = list(client = md$client, therapist = if (isTRUE(spec$nested)) md$therapist else NULL,
                       y = md$y, columns = as.list(md[, pr$xcols, drop = FALSE])),
         formula = deparse(pr$formula)),
    summarise_fit(tight),
    list(default = summarise_fit(fit),
         null_icc = nvc$vcov[1] / sum(nvc$vcov), null_varcomp = I(nvc$vcov))
  )
}

cases <- list(
  fit_case("balanced_ri_reml", "balanced", list()),
  fit_case("balanced_ri_ml", "balanced", list(ml = TRUE)),
  fit_case("balanced_ri_time_reml", "balanced", list(time = TRUE)),
  fit_case("balanced_slope_reml", "balanced", list(random_slope = TRUE)),
  fit_case("unbalanced_ri_reml", "unbalanced", list()),
  fit_case("unbalanced_ri_ml", "unbalanced", list(ml = TRUE)),
  fit_case("unbalanced_ri_time_ml", "unbalanced", list(time = TRUE, ml = TRUE)),
  fit_case("balanced_ri_time_cov_reml", "balanced", list(time = TRUE, covariates = I("age"))),
  fit_case("unbalanced_ri_cov_ml", "unbalanced", list(ml = TRUE, covariates = I("age"))),
  fit_case("unbalanced_slope_reml", "unbalanced", list(random_slope = TRUE)),
  fit_case("unbalanced_slope_ml", "unbalanced", list(random_slope = TRUE, ml = TRUE)),
  fit_case("unbalanced_slope_time_reml", "unbalanced", list(random_slope = TRUE, time = TRUE, slope_time = TRUE)),
  fit_case("unbalanced_lag_reml", "unbalanced", list(lag = TRUE)),
  fit_case("unbalanced_lag_reverse_reml", "unbalanced", list(lag = TRUE, reverse = TRUE)),
  fit_case("balanced_lag_time_ml", "balanced", list(lag = TRUE, time = TRUE, ml = TRUE)),
  fit_case("singular_ri_reml", "singular", list()),
  fit_case("singular_ri_ml", "singular", list(ml = TRUE)),
  fit_case("nested_reml", "nested", list(nested = TRUE)),
  fit_case("nested_ml", "nested", list(nested = TRUE, ml = TRUE))
)

# numDeriv's Richardson hessian() and jacobian() on fixed test functions (src/stats/lmm/numderiv.ts
# reproduces them: lmerTest's Satterthwaite df are built from exactly these two calls)
nd_x <- c(0.7, -1.3, 2.1, 0)
nd_f <- function(x) exp(x[1] * x[2]) + log(x[3]) * x[1]^3 + sin(x[4] + x[2]) * x[3]
nd_g <- function(x) c(x[1]^2 * x[3], exp(x[2]) - x[4]^3, x[1] * x[2] * x[3] * (1 + x[4]))
numderiv <- list(x = nd_x,
                 hessian = lapply(1:4, function(i) I(numDeriv::hessian(nd_f, nd_x)[i, ])),
                 jacobian = lapply(1:3, function(i) I(numDeriv::jacobian(nd_g, nd_x)[i, ])))

out <- list(
  generated_by = "test/reference/lmm.R",
  numderiv = numderiv,
  versions = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                  lmerTest = as.character(packageVersion("lmerTest")),
                  numDeriv = as.character(packageVersion("numDeriv"))),
  cases = cases
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           "test/reference/lmm.json")
cat("wrote", length(cases), "cases\n")
