# Labels every reference series with NHSRplotthedots::ptd_spc (0.2.2), for tests/trends/test_spc_reference.py.
#
#   Rscript tests/reference/ptd_spc_labels.R inputs.csv tests/reference/ptd_spc_0.2.2.csv
#
# inputs.csv: series, source, i, period, y, rebase (1 on a rebase date), fix (blank or n),
# direction ("increase" or "decrease"), screen (TRUE/FALSE). Needs R with NHSRplotthedots 0.2.2
# (install.packages("NHSRplotthedots")). Writes one row a series: its values, each rebase
# group's mean and limits, and each point's special_cause_type and point_type, as the package
# gives them.
suppressMessages({
  library(dplyr)
  library(NHSRplotthedots)
})
args <- commandArgs(trailingOnly = TRUE)
inputs <- read.csv(args[[1]], stringsAsFactors = FALSE)
inputs$period <- as.Date(inputs$period)
out <- lapply(split(inputs, inputs$series), function(d) {
  d <- d[order(d$i), ]
  rebase <- d$period[d$rebase == 1]
  fix <- if (is.na(d$fix[[1]]) || d$fix[[1]] == "") NULL else as.numeric(d$fix[[1]])
  s <- suppressWarnings(ptd_spc(
    d, value_field = "y", date_field = "period",
    rebase = if (length(rebase)) rebase else NULL,
    fix_after_n_points = fix,
    improvement_direction = d$direction[[1]],
    screen_outliers = as.logical(d$screen[[1]])
  ))
  s <- as.data.frame(s)
  first <- !duplicated(s$rebase_group)
  data.frame(
    series = d$series[[1]], source = d$source[[1]], start = format(d$period[[1]]),
    rebase = paste(format(rebase), collapse = " "), fix = d$fix[[1]],
    direction = d$direction[[1]], screen = d$screen[[1]],
    y = paste(d$y, collapse = " "),
    mean = paste(sprintf("%.15g", s$mean_col[first]), collapse = " "),
    lpl = paste(sprintf("%.15g", s$lpl[first]), collapse = " "),
    upl = paste(sprintf("%.15g", s$upl[first]), collapse = " "),
    special_cause_type = paste(s$special_cause_type, collapse = ";"),
    point_type = paste(s$point_type, collapse = ";")
  )
})
write.csv(do.call(rbind, out), args[[2]], row.names = FALSE)
