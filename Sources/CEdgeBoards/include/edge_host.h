/* Host facts Swift's Glibc module does not reach: the kernel's clock discipline state
 * (adjtimex), a block device's size (BLKGETSIZE64) and the process environment (the
 * armv7 Glibc module does not export `environ`). */
#ifndef EDGE_HOST_H
#define EDGE_HOST_H

#include <stdint.h>

/* 1: the kernel's clock is synchronised (no STA_UNSYNC, not TIME_ERROR); 0: it is not; -1: unknown. */
int edge_clock_synchronized(void);

/* The size in bytes of the block device open on fd, or -1 (errno set). */
int64_t edge_block_device_size(int fd);

/* Writes the device's dirty pages and drops its cached ones (BLKFLSBUF), so a read-back reads the card. */
int edge_block_device_flush(int fd);

/* The process environment (environ): NULL-terminated "KEY=value" strings. */
char **edge_environment(void);

#endif
