/* ptyecho: the C side of pumpbench's transport suite (Sources/pumpbench/TransportBench.swift).
 *
 *   ptyecho echo PATH          open the tty PATH raw and echo every byte back until EOF/EIO.
 *   ptyecho client N LEN       baseline client: openpty (raw, master non-blocking), run
 *                              "ptyecho echo /dev/pts/K" on the slave, then N times: write a
 *                              LEN-byte line to the master, poll+read until LEN bytes came back.
 *                              Prints each round trip in ns, one per line (the caller pools
 *                              and sorts them).
 *
 * The Swift side runs the same loop with SerialTransport's VirtualSerialPort on the master and
 * the same "ptyecho echo" process on the slave, so the two figures differ only in the client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int echo_loop(const char *path) {
  int fd = open(path, O_RDWR | O_NOCTTY);
  if (fd < 0) { perror(path); return 1; }
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(fd, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return 0;
      off += w;
    }
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* warm: tolerate a hung-up master (EIO) while the echo process is still opening the slave. */
static int round_trip(int m, const char *line, int len, int warm) {
  for (int off = 0; off < len;) {
    ssize_t w = write(m, line + off, (size_t)(len - off));
    if (w > 0) { off += (int)w; continue; }
    if (w < 0 && errno != EAGAIN && errno != EINTR) return -1;
    struct pollfd p = {m, POLLOUT, 0};
    poll(&p, 1, 1000);
  }
  char buf[4096];
  for (int got = 0; got < len;) {
    struct pollfd p = {m, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return -1;
    ssize_t n = read(m, buf, sizeof buf);
    if (n > 0) got += (int)n;
    else if (warm && n < 0 && errno == EIO && warm++ < 5000) usleep(1000);
    else if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
  }
  return 0;
}

static int client(const char *self, int iterations, int len) {
  int m, s;
  char name[128];
  if (openpty(&m, &s, name, NULL, NULL) != 0) { perror("openpty"); return 1; }
  struct termios t;
  tcgetattr(m, &t);
  cfmakeraw(&t);
  tcsetattr(m, TCSANOW, &t);
  fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
  pid_t child = fork();
  if (child == 0) {
    close(m);
    close(s);
    execl(self, self, "echo", name, (char *)NULL);
    _exit(127);
  }
  close(s);
  char line[4096];
  for (int i = 0; i < len; i++) line[i] = (char)('A' + i % 26);
  line[len - 1] = '\n';
  for (int i = 0; i < 200; i++) /* warm-up */
    if (round_trip(m, line, len, 1) != 0) { fprintf(stderr, "warm-up failed\n"); return 1; }
  uint64_t *rt = calloc((size_t)iterations, sizeof *rt);
  for (int i = 0; i < iterations; i++) {
    uint64_t t0 = now_ns();
    if (round_trip(m, line, len, 0) != 0) { fprintf(stderr, "round trip failed\n"); return 1; }
    rt[i] = now_ns() - t0;
  }
  for (int i = 0; i < iterations; i++) printf("%llu\n", (unsigned long long)rt[i]);
  close(m);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "echo") == 0) return echo_loop(argv[2]);
  if (argc == 4 && strcmp(argv[1], "client") == 0) {
    int n = atoi(argv[2]), len = atoi(argv[3]);
    if (n < 1 || len < 1 || len > 4096) return 2;
    return client(argv[0], n, len);
  }
  fprintf(stderr, "usage: ptyecho echo PATH | ptyecho client N LEN\n");
  return 2;
}
