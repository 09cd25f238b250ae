/*
 * memvisor bench: the benchmarks, each run against memvisor and QEMU
 * (-accel kvm and -accel tcg) with the same guest.elf.
 *
 *   memvisor bench boot [options]      boot time, to the guest's ready line
 *   memvisor bench hotplug [options]   DIMM hot-add and hot-remove times
 *   memvisor bench balloon [options]   balloon inflate/deflate speed and
 *                                      host memory released
 *
 * `memvisor bench --help` and `memvisor bench COMMAND --help` list every
 * option. Exit status: 0 done, 1 memvisor's own row failed, 2 a usage
 * mistake.
 */
#ifndef TOOLS_BENCH_BENCH_H
#define TOOLS_BENCH_BENCH_H

/*
 * Entry point for `memvisor bench ...`: @argv starts after "bench"
 * (argv[0] is the subcommand). @self_path is the memvisor binary, used to
 * run it and to find guest.elf next to it. Returns an exit status.
 */
int bench_main(int argc, char **argv, const char *self_path);

#endif
