# Speedup vs workers per parallel backend, with 95% bootstrap intervals and the ideal. Vars:
# data (three blocks per backend, fork threads openmp mpi: every point, clean, suspect;
# columns P S lo hi; then one block per backend: the cost model's speedup, P S), limit_text,
# cores, pmax, backends (those with data; the others get no key entry), nsuspect, bars, model
# (1: the run has predictions).
load ARG1
set title sprintf('Speedup per parallel backend, N = %s', limit_text)
set xlabel 'workers P (processes, threads or ranks)'
set xtics 1
set xrange [0.8:pmax + 0.2]
set ylabel 'speedup S = T_1 / T_P'
# Headroom above the ideal for the key, clear of the points.
set yrange [0:(cores < pmax ? cores : pmax) * 1.6]
set key top right width -4
name(i) = word('fork threads openmp mpi', i)
title(i) = i == 4 ? 'MPI (mpirun start-up included)' : word('fork threads OpenMP', i)
key(i) = strstrt(backends, name(i)) > 0 ? title(i) : ''
sus = entry(nsuspect > 0, suspect_entry)
bar = entry(bars, "keyentry with ".ebar." ls 29 title '95% bootstrap interval'")
pred = entry(model, "keyentry with points ls 9 pt 2 ps 1.6 title 'cost model (x)'")
plot x < 1 ? 1/0 : x < cores ? x : cores with lines ls 9 title 'ideal', \
     for [i=1:4] data index 3*i-3 using 1:2 with lines ls i notitle, \
     for [i=1:4] data index 3*i-2 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:4] data index 3*i-1 using 1:3:(0):($4-$3) with @ebar ls 29 notitle, \
     for [i=1:4] data index 3*i-2 using 1:2 with points ls i notitle, \
     for [i=1:4] data index 3*i-1 using 1:2 with points ls (10+i) notitle, \
     for [i=1:4] data index 11+i using 1:2 with points ls i pt 2 ps 1.6 notitle, \
     for [i=1:4] keyentry with linespoints ls i title key(i) noenhanced, \
     @bar, @sus, @pred
