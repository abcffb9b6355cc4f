# Figure 8: the C programs against the lab's Python solutions (log y): one bar per program,
# programs being categories (no line joins them), with the median's 95% interval.
# Vars: data (blocks every bar, clean, suspect: position "label" median lo hi), limit_text,
# nsuspect, bars. The axis labels come from the first block alone, which is never empty
# (gnuplot does not take a tic label from a NaN row).
load ARG1
set title sprintf('C vs the lab''s Python solutions, N = %s', limit_text)
set boxwidth 0.6
set logscale y
set ylabel 'time (s, log scale)'
set yrange [*:*]
set offsets 0.5, 0.5, graph 0.08, 0
set xtics rotate by -15 nomirror
set grid noxtics
set key top left
sus = entry(nsuspect > 0, "keyentry with boxes lc rgb '#8c8c8c' fs empty border lc rgb '#8c8c8c' title 'suspect (hollow)'")
bar = entry(bars, "keyentry with ".ebar." lc rgb '#444444' title 'median, 95% interval'")
plot data index 0 using 1:3:xtic(2) with points ps 0 notitle, \
     ''   index 1 using 1:3 with boxes lc rgb '#1f77b4' fs solid 0.8 border -1 notitle, \
     ''   index 2 using 1:3 with boxes lc rgb '#8c8c8c' fs empty border lc rgb '#8c8c8c' notitle, \
     ''   index 1 using 1:4:(0):($5-$4) with @ebar lc rgb '#444444' lw 1.2 notitle, \
     ''   index 2 using 1:4:(0):($5-$4) with @ebar lc rgb '#8c8c8c' lw 1.2 notitle, \
     ''   index 0 using 1:3:(sprintf('%.3f s', $3)) with labels offset 0,1 notitle, \
     @bar, @sus
