#ifndef EDGE_NETLINK_H
#define EDGE_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* rtnetlink for the pod network: links (bridge, veth, vxlan), addresses,
 * routes, neighbours and VXLAN forwarding entries, without a process per call.
 * Every call takes a NETLINK_ROUTE socket (edge_nl_open, or edge_nl_open_in for
 * a pod's namespace) and answers 0 or a negative errno, with a message in err.
 * IPv4 addresses are host-order uint32; MACs are 6 bytes. */

struct edge_link {
    int index;
    int mtu;
    int master;       /* index of the bridge it is a port of, 0 if none */
    unsigned flags;   /* IFF_* */
    unsigned char mac[6];
    char name[16];
    char kind[16];    /* "bridge", "veth", "vxlan", "" for physical devices */
    uint32_t vxlan_vni;
    uint32_t vxlan_local;
    uint16_t vxlan_port;
    int vxlan_dev;    /* index of the underlay device */
};

struct edge_addr {
    int index;
    uint32_t addr;
    int prefix;
};

struct edge_route {
    uint32_t dst;
    int prefix;
    uint32_t gateway;  /* 0: none */
    int oif;
    int protocol;
    int scope;
    int onlink;
    uint32_t table;
};

struct edge_neigh {
    int index;
    uint32_t ip;       /* neighbour entries (AF_INET) */
    uint32_t dst;      /* fdb entries (AF_BRIDGE): the remote VTEP */
    unsigned char mac[6];
    int state;
    int flags;
};

int edge_nl_open(char *err, size_t errlen);
/* A NETLINK_ROUTE socket inside the network namespace bound at netns_path. */
int edge_nl_open_in(const char *netns_path, char *err, size_t errlen);
void edge_nl_close(int nl);

/* 0 and *out filled; -ENODEV when there is no such link. */
int edge_nl_link_by_name(int nl, const char *name, struct edge_link *out, char *err, size_t errlen);
/* Up to max links of the namespace; returns how many, or a negative errno. */
int edge_nl_link_list(int nl, struct edge_link *out, int max, char *err, size_t errlen);

int edge_nl_bridge_add(int nl, const char *name, int mtu, const unsigned char mac[6], char *err, size_t errlen);
/* A veth pair: name here, enslaved to master (if > 0) and up; peer_name in the namespace open at
 * peer_netns_fd, with peer_mac (if not NULL), down. */
int edge_nl_veth_add(int nl, const char *name, int master, int mtu, const char *peer_name, int peer_netns_fd,
                     const unsigned char *peer_mac, char *err, size_t errlen);
int edge_nl_vxlan_add(int nl, const char *name, uint32_t vni, uint32_t local, int dev_index, uint16_t port, int mtu,
                      const unsigned char mac[6], char *err, size_t errlen);
/* up: 1 up, 0 down, -1 unchanged; mtu: 0 unchanged. */
int edge_nl_link_set(int nl, int index, int up, int mtu, char *err, size_t errlen);
int edge_nl_link_del(int nl, int index, char *err, size_t errlen);

/* Adds (or keeps) addr/prefix on the link. */
int edge_nl_addr_add(int nl, int index, uint32_t addr, int prefix, char *err, size_t errlen);
int edge_nl_addr_del(int nl, int index, uint32_t addr, int prefix, char *err, size_t errlen);
int edge_nl_addr_list(int nl, struct edge_addr *out, int max, char *err, size_t errlen);

/* Replaces (or adds) a route in the main table; gateway 0 for a direct route. */
int edge_nl_route_replace(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int onlink, int protocol, char *err, size_t errlen);
/* The same with an MTU metric (RTAX_MTU) on the route when mtu > 0. */
int edge_nl_route_replace_mtu(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int onlink, int protocol, uint32_t mtu,
                              char *err, size_t errlen);
int edge_nl_route_del(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int protocol, char *err, size_t errlen);
/* IPv4 routes of the main table; protocol > 0 keeps only routes of that protocol. */
int edge_nl_route_list(int nl, int protocol, struct edge_route *out, int max, char *err, size_t errlen);

/* Permanent ARP entry ip -> mac on the link (replace), or its removal. */
int edge_nl_neigh_replace(int nl, int index, uint32_t ip, const unsigned char mac[6], char *err, size_t errlen);
int edge_nl_neigh_del(int nl, int index, uint32_t ip, char *err, size_t errlen);
/* Permanent neighbour entries of one link. */
int edge_nl_neigh_list(int nl, int index, struct edge_neigh *out, int max, char *err, size_t errlen);
/* VXLAN forwarding entry mac -> remote VTEP dst on the vxlan link (replace), or its removal. */
int edge_nl_fdb_replace(int nl, int index, const unsigned char mac[6], uint32_t dst, char *err, size_t errlen);
int edge_nl_fdb_del(int nl, int index, const unsigned char mac[6], uint32_t dst, char *err, size_t errlen);
int edge_nl_fdb_list(int nl, int index, struct edge_neigh *out, int max, char *err, size_t errlen);

/* Runs a program with argv and envp, feeding it input on stdin and returning its stdout
 * (malloc'd, *out_len bytes; free with free()) and exit status (*status as waitpid's).
 * Killed after timeout_ms. 0 or a negative errno. */
int edge_run_program(const char *path, const char *const *argv, const char *const *envp, const char *input, size_t input_len,
                     char **out, size_t *out_len, int *status, int timeout_ms, char *err, size_t errlen);

#endif
