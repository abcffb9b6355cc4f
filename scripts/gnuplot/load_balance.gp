# Figure 4: load balance per schedule: each worker's busy time and trial divisions.
# Vars: data (columns: worker dyn_ms stat_ms cyc_ms dyn_mdiv stat_mdiv cyc_mdiv), procs, limit_text.
load ARG1
set multiplot layout 1,2 title sprintf('Load balance, N = %s, P = %d (from --metrics)', limit_text, procs)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xlabel 'worker'
set key outside right top vertical
set yrange [0:*]
set ylabel 'busy time (ms)'
plot data using 2:xtic(1) ls 1 title 'dynamic', '' using 3 ls 2 title 'static', '' using 4 ls 3 title 'cyclic'
set ylabel 'trial divisions (millions)'
plot data using 5:xtic(1) ls 1 title 'dynamic', '' using 6 ls 2 title 'static', '' using 7 ls 3 title 'cyclic'
unset multiplot
