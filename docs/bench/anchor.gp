set terminal pngcairo size 1000,600
set output 'docs/bench/anchor.png'
set title 'memvisor bench density --vms 2 --memory 256M --mix 100,0,0' noenhanced
set xlabel 'seconds since the hogs were filled'
set ylabel 'host memory used (MiB: PSS + memfd blocks)'
set key outside bottom center horizontal
set grid
plot 'docs/bench/anchor.dat' index 0 using 1:2 with lines lw 2 title 'memvisor (ksmd pts=5000)', 'docs/bench/anchor.dat' index 1 using 1:2 with lines lw 2 title 'qemu+linux-ksm pts=100 (default)', 'docs/bench/anchor.dat' index 2 using 1:2 with lines lw 2 title 'qemu+linux-ksm pts=5000', 'docs/bench/anchor.dat' index 3 using 1:2 with lines lw 2 title 'qemu+linux-ksm pts=1998 (cpu-matched)', 'docs/bench/anchor.dat' index 4 using 1:2 with lines lw 2 title 'no-dedup'
