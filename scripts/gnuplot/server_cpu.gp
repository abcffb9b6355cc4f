# The server's CPU per session at one client count, user and system stacked, one bar per
# server (servers are categories: no line joins them).
# Vars: data (one row per server: position "label" user_us system_us), clients.
load ARG1
set title sprintf('CPU per session at %d clients', clients)
set ylabel 'CPU us per session'
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -25 nomirror noenhanced
set grid noxtics
set key top left
plot data using 3:xtic(2) title 'user' lc rgb '#1f77b4', \
     ''   using 4 title 'system' lc rgb '#d62728', \
     ''   using 1:($3+$4):(sprintf('%.1f', $3+$4)) with labels offset 0,0.8 notitle
