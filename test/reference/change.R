# Reference values for src/analysis/change.ts and the Jacobson-Truax path of `alliance trend`.
#
# The clinicalsignificance package is not installed here, so this script reimplements its
# definitions (cran/clinicalsignificance@c0edc2df: R/prep_data.R, R/rci-utils.R,
# R/calc_rci.R calc_rci.cs_jt, R/calc_cutoff.R .calc_cutoff_jt, R/calc_recovered.R,
# R/cs_combined.R) in base R, independently of the TypeScript code:
#   pre/post = outcome at the two time points, clients missing either dropped (na.omit);
#   sd_pre = sd(pre) over used clients; s_diff = sqrt(2 * (sd_pre * sqrt(1 - rxx))^2);
#   rci = (post - pre) / s_diff; critical value qnorm(1 - 0.05 / 2);
#   improved = dir * rci > crit; deteriorated = dir * rci < -crit;
#   cutoffs: a = m_clin + dir * 2 sd_clin; b = m_func - dir * 2 sd_func (Jacobson & Truax
#   1991; the package uses sd_clin here, reported as b_package); c = (sd_clin m_func +
#   sd_func m_clin) / (sd_clin + sd_func); clinical norms = mean/sd of pre unless given;
#   clinical_pre = dir * pre < dir * cutoff; functional_post = dir * post > dir * cutoff;
#   recovered = clinical_pre & functional_post & improved; harmed = !clinical_pre &
#   !functional_post & deteriorated.
# Run: Rscript test/reference/change.R   (writes test/reference/change.json)
library(jsonlite)

here <- "test/reference"
claus <- read.csv("fixtures/trend/claus_2020.csv")
jac <- read.csv("fixtures/trend/jacobson_1989.csv")

# Wide pre/post by fixed time points, or first/last non-missing measurement.
prepost <- function(d, id, time, y, pre = NULL, post = NULL) {
  d <- d[order(d[[id]], d[[time]]), ]
  ids <- unique(d[[id]])
  out <- data.frame(id = ids, pre = NA_real_, post = NA_real_, pre_time = NA_real_, post_time = NA_real_)
  for (i in seq_along(ids)) {
    x <- d[d[[id]] == ids[i], ]
    if (!is.null(pre)) {
      a <- x[x[[time]] == pre & !is.na(x[[y]]), ]
      b <- x[x[[time]] == post & !is.na(x[[y]]), ]
      if (nrow(a) > 0) { out$pre[i] <- a[[y]][1]; out$pre_time[i] <- pre }
      if (nrow(b) > 0) { out$post[i] <- b[[y]][1]; out$post_time[i] <- post }
    } else {
      x <- x[!is.na(x[[y]]), ]
      if (nrow(x) >= 2 && max(x[[time]]) > min(x[[time]])) {
        out$pre[i] <- x[[y]][1]; out$pre_time[i] <- x[[time]][1]
        out$post[i] <- x[[y]][nrow(x)]; out$post_time[i] <- x[[time]][nrow(x)]
      }
    }
  }
  out
}

jt <- function(name, d, id, time, y, better, rxx, type, m_func = NULL, sd_func = NULL,
               pre = NULL, post = NULL, sd_given = NULL, m_clin_given = NULL, sd_clin_given = NULL) {
  w <- prepost(d, id, time, y, pre, post)
  n_original <- nrow(w)
  used <- na.omit(w)
  dir <- if (better == "higher") 1 else -1
  crit <- qnorm(1 - 0.05 / 2)
  sd_pre <- if (is.null(sd_given)) sd(used$pre) else sd_given
  se_m <- sd_pre * sqrt(1 - rxx)
  s_diff <- sqrt(2 * se_m^2)
  used$change <- used$post - used$pre
  used$rci <- used$change / s_diff
  improved <- dir * used$rci > crit
  deteriorated <- dir * used$rci < -crit
  m_clin <- if (is.null(m_clin_given)) mean(used$pre) else m_clin_given
  sd_clin <- if (is.null(sd_clin_given)) sd(used$pre) else sd_clin_given
  cut <- list(a = m_clin + dir * 2 * sd_clin)
  if (!is.null(m_func)) {
    cut$b <- m_func - dir * 2 * sd_func
    cut$b_package <- m_func - dir * 2 * sd_clin
    cut$c <- (sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func)
  }
  cutoff <- cut[[type]]
  clinical_pre <- dir * used$pre < dir * cutoff
  functional_post <- dir * used$post > dir * cutoff
  recovered <- clinical_pre & functional_post & improved
  harmed <- !clinical_pre & !functional_post & deteriorated
  category <- ifelse(recovered, "recovered", ifelse(improved, "improved",
              ifelse(harmed, "harmed", ifelse(deteriorated, "deteriorated", "unchanged"))))
  counts <- as.list(table(factor(category, levels = c("recovered", "improved", "unchanged", "deteriorated", "harmed"))))
  list(
    name = name,
    input = list(id = id, time = time, outcome = y, better = better, reliability = rxx, cutoff_type = type,
                 m_functional = m_func, sd_functional = sd_func, pre = pre, post = post,
                 sd = sd_given, clinical_mean = m_clin_given, clinical_sd = sd_clin_given),
    n_original = n_original, n_used = nrow(used),
    missing_pre = sum(is.na(w$pre)), missing_post = sum(is.na(w$post)),
    m_pre = mean(used$pre), sd_pre = sd_pre, s_diff = s_diff, critical = crit,
    m_clinical = m_clin, sd_clinical = sd_clin, cutoffs = cut, cutoff = cutoff,
    counts = counts,
    clients = data.frame(id = as.character(used$id), pre = used$pre, post = used$post, change = used$change,
                         rci = used$rci, clinical_pre = clinical_pre, clinical_post = !functional_post,
                         category = category)
  )
}

cases <- list(
  jt("claus_bdi_t1_t4_c", claus, "id", "time", "bdi", "lower", 0.801, "c", 7.69, 7.52, pre = 1, post = 4),
  jt("claus_bdi_first_last_c", claus, "id", "time", "bdi", "lower", 0.801, "c", 7.69, 7.52),
  jt("claus_bdi_t1_t4_a_given_sd", claus, "id", "time", "bdi", "lower", 0.85, "a", pre = 1, post = 4,
     sd_given = 9, m_clin_given = 30, sd_clin_given = 8),
  jt("jacobson_gds_c", jac, "subject", "session", "gds", "lower", 0.80, "c", 30, 10, pre = 1, post = 2),
  jt("jacobson_das_a", jac, "subject", "session", "das", "higher", 0.80, "a", pre = 1, post = 2),
  jt("jacobson_das_b", jac, "subject", "session", "das", "higher", 0.93, "b", 114.8, 17.8, pre = 1, post = 2)
)

# Points threshold (services' rule), claus_2020 BDI first -> last, threshold 8 points, BDI-II
# cut-off >= 14 clinical (as the instrument registry), lower is better.
points_case <- local({
  w <- na.omit(prepost(claus, "id", "time", "bdi"))
  better <- -(w$post - w$pre)
  rel <- ifelse(better >= 8, "improved", ifelse(-better >= 8, "deteriorated", "unchanged"))
  cp <- w$pre >= 14; cq <- w$post >= 14
  category <- ifelse(rel == "improved", ifelse(cp & !cq, "recovered", "improved"),
              ifelse(rel == "deteriorated", ifelse(!cp & cq, "harmed", "deteriorated"), "unchanged"))
  list(name = "claus_bdi_points_8", threshold = 8, cutoff = 14, n_used = nrow(w),
       counts = as.list(table(factor(category, levels = c("recovered", "improved", "unchanged", "deteriorated", "harmed")))),
       clients = data.frame(id = as.character(w$id), category = category))
})

# Per treatment arm (a --by group column): claus_2020 JT cut-off c as in the first case;
# n, mean change with t.test CI, category counts, Wilson CI of the recovered share.
by_treatment <- local({
  base <- cases[[1]]$clients
  arm <- unique(claus[, c("id", "treatment")])
  base$treatment <- arm$treatment[match(base$id, as.character(arm$id))]
  lapply(sort(unique(base$treatment)), function(t) {
    x <- base[base$treatment == t, ]
    list(group = t, n = nrow(x), mean_change = mean(x$change),
         mean_change_ci = unname(t.test(x$change)$conf.int[1:2]),
         d = mean(x$change) / sd(x$pre), dz = mean(x$change) / sd(x$change),
         recovered = sum(x$category == "recovered"),
         recovered_ci = unname(prop.test(sum(x$category == "recovered"), nrow(x), correct = FALSE)$conf.int[1:2]),
         clients_seen = length(unique(claus$id[claus$treatment == t])))
  })
})

writeLines(toJSON(list(
  generated_by = "test/reference/change.R",
  r_version = R.version.string,
  packages = list(jsonlite = as.character(packageVersion("jsonlite"))),
  cases = cases,
  points = points_case,
  by_treatment = by_treatment
), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), file.path(here, "change.json"))
