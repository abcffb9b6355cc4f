# Figure 8: the C programs against the lab's Python solutions (log y). Vars: data (label median).
load ARG1
set title sprintf('C vs the lab''s Python solutions, N = %s', limit_text)
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.6
set logscale y
set ylabel 'time (s, log scale)'
set yrange [*:*]
set key off
set xtics rotate by -15
plot data using 2:xtic(1) lc rgb '#1f77b4', '' using 0:2:(sprintf('%.3f s', $2)) with labels offset 0,1 notitle
