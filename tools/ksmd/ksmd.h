/*
 * `memvisor ksmd [--socket PATH]`: run the KSM scanner daemon (ksm/ksmd.c)
 * until SIGINT or SIGTERM. Exit status 0, 1 on failure, 2 a usage mistake.
 */
#ifndef TOOLS_KSMD_KSMD_H
#define TOOLS_KSMD_KSMD_H

/* Entry point: @argv[0] is "ksmd". Returns the exit status. */
int ksmd_main(int argc, char **argv);

#endif
