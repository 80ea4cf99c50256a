/* rtnetlink requests for the pod network (see edge_netlink.h). One request at
 * a time per socket; replies are matched by sequence number. */
#include "edge_netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

#define REQ_SIZE 4096
#define DUMP_SIZE 32768

static uint32_t next_seq(void) {
    static uint32_t seq;
    return __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
}

static void say(char *err, size_t errlen, const char *what, int code, const char *detail) {
    if (!err || !errlen) return;
    if (detail && *detail) snprintf(err, errlen, "%s: %s (%s)", what, strerror(code), detail);
    else snprintf(err, errlen, "%s: %s", what, strerror(code));
}

/* ---- message building ---- */

struct msg {
    union { struct nlmsghdr h; char buf[REQ_SIZE]; } u;
    int overflow;
};

static void msg_init(struct msg *m, int type, int flags, const void *body, size_t len) {
    memset(m, 0, sizeof *m);
    m->u.h.nlmsg_type = type;
    m->u.h.nlmsg_flags = NLM_F_REQUEST | flags;
    m->u.h.nlmsg_len = NLMSG_LENGTH(len);
    memcpy(NLMSG_DATA(&m->u.h), body, len);
}

static struct rtattr *attr(struct msg *m, int type, const void *data, size_t len) {
    size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
    size_t alen = RTA_LENGTH(len);
    if (off + RTA_ALIGN(alen) > sizeof m->u.buf) { m->overflow = 1; return NULL; }
    struct rtattr *a = (struct rtattr *)(m->u.buf + off);
    a->rta_type = type;
    a->rta_len = alen;
    if (len) memcpy(RTA_DATA(a), data, len);
    m->u.h.nlmsg_len = off + RTA_ALIGN(alen);
    return a;
}

static void attr_u32(struct msg *m, int type, uint32_t v) { attr(m, type, &v, sizeof v); }
static void attr_u16(struct msg *m, int type, uint16_t v) { attr(m, type, &v, sizeof v); }
static void attr_u8(struct msg *m, int type, uint8_t v) { attr(m, type, &v, sizeof v); }
static void attr_str(struct msg *m, int type, const char *s) { attr(m, type, s, strlen(s) + 1); }
static void attr_ip(struct msg *m, int type, uint32_t host) { uint32_t be = htonl(host); attr(m, type, &be, 4); }

static struct rtattr *nest(struct msg *m, int type) { return attr(m, type, NULL, 0); }
static void nest_end(struct msg *m, struct rtattr *a) {
    if (a) a->rta_len = (unsigned short)(m->u.buf + m->u.h.nlmsg_len - (char *)a);
}
/* Raw bytes inside a nest (the peer's ifinfomsg of a veth). */
static void raw(struct msg *m, const void *data, size_t len) {
    size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
    if (off + NLMSG_ALIGN(len) > sizeof m->u.buf) { m->overflow = 1; return; }
    memcpy(m->u.buf + off, data, len);
    m->u.h.nlmsg_len = off + NLMSG_ALIGN(len);
}

/* ---- talking to the kernel ---- */

static void ext_ack_message(struct nlmsghdr *r, char *out, size_t outlen) {
    out[0] = 0;
    if (!(r->nlmsg_flags & NLM_F_ACK_TLVS)) return;
    struct nlmsgerr *e = NLMSG_DATA(r);
    size_t off = sizeof *e;
    /* Without NLM_F_CAPPED the original request follows the error. */
    if (!(r->nlmsg_flags & 0x100 /* NLM_F_CAPPED */)) off += e->msg.nlmsg_len - NLMSG_HDRLEN;
    else off += 0;
    int len = (int)r->nlmsg_len - (int)NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
    if (len <= 0) return;
    struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(r) + NLMSG_ALIGN(off));
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == NLMSGERR_ATTR_MSG) {
            snprintf(out, outlen, "%.*s", (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
            size_t n = strlen(out);
            while (n && (out[n - 1] == 0 || out[n - 1] == '\n')) out[--n] = 0;
            return;
        }
    }
}

static int send_msg(int nl, struct msg *m) {
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    for (;;) {
        if (sendto(nl, m->u.buf, m->u.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) >= 0) return 0;
        if (errno != EINTR) return -errno;
    }
}

typedef int (*reply_fn)(struct nlmsghdr *r, void *ctx);

/* Sends m and reads replies with its sequence number: each data message goes to fn
 * (if any), until the ack, the error or the end of a dump. */
static int transact(int nl, struct msg *m, reply_fn fn, void *ctx, const char *what, char *err, size_t errlen) {
    if (m->overflow) { say(err, errlen, what, EMSGSIZE, "request too large"); return -EMSGSIZE; }
    m->u.h.nlmsg_seq = next_seq();
    int dump = (m->u.h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    int rc = send_msg(nl, m);
    if (rc < 0) { say(err, errlen, what, -rc, NULL); return rc; }
    char *buf = malloc(DUMP_SIZE);
    if (!buf) { say(err, errlen, what, ENOMEM, NULL); return -ENOMEM; }
    int result = 1; /* 1: keep reading */
    while (result == 1) {
        ssize_t n = recv(nl, buf, DUMP_SIZE, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            result = -errno;
            say(err, errlen, what, errno, "reading the kernel's answer");
            break;
        }
        if (n == 0) { result = -EIO; say(err, errlen, what, EIO, "netlink socket closed"); break; }
        int len = (int)n;
        for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, len); r = NLMSG_NEXT(r, len)) {
            if (r->nlmsg_seq != m->u.h.nlmsg_seq) continue;
            if (r->nlmsg_type == NLMSG_DONE) { result = 0; break; }
            if (r->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(r);
                if (e->error == 0) { result = 0; break; }
                char detail[160];
                ext_ack_message(r, detail, sizeof detail);
                say(err, errlen, what, -e->error, detail);
                result = e->error;
                break;
            }
            if (fn) {
                int f = fn(r, ctx);
                if (f < 0) { result = f; say(err, errlen, what, -f, NULL); break; }
            }
            /* A non-dump request answered with data and no ack flag: that message is the answer. */
            if (!dump && !(m->u.h.nlmsg_flags & NLM_F_ACK)) { result = 0; break; }
        }
    }
    free(buf);
    return result;
}

int edge_nl_open(char *err, size_t errlen) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) { say(err, errlen, "opening a netlink socket", errno, NULL); return -errno; }
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        say(err, errlen, "binding a netlink socket", e, NULL);
        return -e;
    }
    return fd;
}

struct open_job {
    int netns_fd;
    int result;
    char msg[200];
};

/* setns changes the calling thread only: a short-lived thread of its own makes the socket. */
static void *open_in_thread(void *arg) {
    struct open_job *j = arg;
    if (setns(j->netns_fd, CLONE_NEWNET) != 0) {
        j->result = -errno;
        snprintf(j->msg, sizeof j->msg, "entering the pod's network namespace: %s", strerror(errno));
        return NULL;
    }
    j->result = edge_nl_open(j->msg, sizeof j->msg);
    return NULL;
}

int edge_nl_open_in(const char *netns_path, char *err, size_t errlen) {
    int fd = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { int e = errno; snprintf(err, errlen, "opening network namespace %s: %s", netns_path, strerror(e)); return -e; }
    struct open_job j = {.netns_fd = fd, .result = -EIO};
    j.msg[0] = 0;
    pthread_t t;
    int rc = pthread_create(&t, NULL, open_in_thread, &j);
    if (rc != 0) { close(fd); snprintf(err, errlen, "starting a thread: %s", strerror(rc)); return -rc; }
    pthread_join(t, NULL);
    close(fd);
    if (j.result < 0) snprintf(err, errlen, "%s", j.msg);
    return j.result;
}

void edge_nl_close(int nl) { if (nl >= 0) close(nl); }

/* ---- links ---- */

static void parse_link(struct nlmsghdr *r, struct edge_link *l) {
    memset(l, 0, sizeof *l);
    struct ifinfomsg *ifi = NLMSG_DATA(r);
    l->index = ifi->ifi_index;
    l->flags = ifi->ifi_flags;
    int len = (int)IFLA_PAYLOAD(r);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
        case IFLA_IFNAME: snprintf(l->name, sizeof l->name, "%s", (char *)RTA_DATA(a)); break;
        case IFLA_MTU: l->mtu = (int)*(uint32_t *)RTA_DATA(a); break;
        case IFLA_MASTER: l->master = (int)*(uint32_t *)RTA_DATA(a); break;
        case IFLA_ADDRESS:
            if (RTA_PAYLOAD(a) == 6) memcpy(l->mac, RTA_DATA(a), 6);
            break;
        case IFLA_LINKINFO: {
            int ilen = (int)RTA_PAYLOAD(a);
            for (struct rtattr *i = RTA_DATA(a); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen)) {
                if (i->rta_type == IFLA_INFO_KIND) snprintf(l->kind, sizeof l->kind, "%.*s", (int)RTA_PAYLOAD(i), (char *)RTA_DATA(i));
                if (i->rta_type == IFLA_INFO_DATA) {
                    int dlen = (int)RTA_PAYLOAD(i);
                    for (struct rtattr *d = RTA_DATA(i); RTA_OK(d, dlen); d = RTA_NEXT(d, dlen)) {
                        /* Only meaningful for vxlan; read after the kind is known below. */
                        if (d->rta_type == IFLA_VXLAN_ID && RTA_PAYLOAD(d) >= 4) l->vxlan_vni = *(uint32_t *)RTA_DATA(d);
                        if (d->rta_type == IFLA_VXLAN_LOCAL && RTA_PAYLOAD(d) >= 4) l->vxlan_local = ntohl(*(uint32_t *)RTA_DATA(d));
                        if (d->rta_type == IFLA_VXLAN_PORT && RTA_PAYLOAD(d) >= 2) l->vxlan_port = ntohs(*(uint16_t *)RTA_DATA(d));
                        if (d->rta_type == IFLA_VXLAN_LINK && RTA_PAYLOAD(d) >= 4) l->vxlan_dev = (int)*(uint32_t *)RTA_DATA(d);
                    }
                }
            }
            break;
        }
        }
    }
    if (strcmp(l->kind, "vxlan") != 0) { l->vxlan_vni = 0; l->vxlan_local = 0; l->vxlan_port = 0; l->vxlan_dev = 0; }
}

static int one_link(struct nlmsghdr *r, void *ctx) {
    if (r->nlmsg_type == RTM_NEWLINK) parse_link(r, ctx);
    return 0;
}

int edge_nl_link_by_name(int nl, const char *name, struct edge_link *out, char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct msg m;
    msg_init(&m, RTM_GETLINK, 0, &ifi, sizeof ifi);
    attr_str(&m, IFLA_IFNAME, name);
    memset(out, 0, sizeof *out);
    char what[64];
    snprintf(what, sizeof what, "looking up link %s", name);
    return transact(nl, &m, one_link, out, what, err, errlen);
}

struct link_list { struct edge_link *out; int max, n; };

static int each_link(struct nlmsghdr *r, void *ctx) {
    struct link_list *l = ctx;
    if (r->nlmsg_type != RTM_NEWLINK || l->n >= l->max) return 0;
    parse_link(r, &l->out[l->n++]);
    return 0;
}

int edge_nl_link_list(int nl, struct edge_link *out, int max, char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct msg m;
    msg_init(&m, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof ifi);
    struct link_list l = {out, max, 0};
    int rc = transact(nl, &m, each_link, &l, "listing links", err, errlen);
    return rc < 0 ? rc : l.n;
}

int edge_nl_bridge_add(int nl, const char *name, int mtu, const unsigned char mac[6], char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    struct msg m;
    msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof ifi);
    attr_str(&m, IFLA_IFNAME, name);
    if (mtu > 0) attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
    if (mac) attr(&m, IFLA_ADDRESS, mac, 6);
    struct rtattr *info = nest(&m, IFLA_LINKINFO);
    attr(&m, IFLA_INFO_KIND, "bridge", 6);
    nest_end(&m, info);
    char what[64];
    snprintf(what, sizeof what, "creating bridge %s", name);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

int edge_nl_veth_add(int nl, const char *name, int master, int mtu, const char *peer_name, int peer_netns_fd,
                     const unsigned char *peer_mac, char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    struct msg m;
    msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof ifi);
    attr_str(&m, IFLA_IFNAME, name);
    if (mtu > 0) attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
    if (master > 0) attr_u32(&m, IFLA_MASTER, (uint32_t)master);
    struct rtattr *info = nest(&m, IFLA_LINKINFO);
    attr(&m, IFLA_INFO_KIND, "veth", 4);
    struct rtattr *data = nest(&m, IFLA_INFO_DATA);
    struct rtattr *peer = nest(&m, VETH_INFO_PEER);
    struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
    raw(&m, &pifi, sizeof pifi);
    attr_str(&m, IFLA_IFNAME, peer_name);
    if (mtu > 0) attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
    if (peer_netns_fd >= 0) attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
    if (peer_mac) attr(&m, IFLA_ADDRESS, peer_mac, 6);
    nest_end(&m, peer);
    nest_end(&m, data);
    nest_end(&m, info);
    char what[80];
    snprintf(what, sizeof what, "creating veth pair %s/%s", name, peer_name);
    int rc = transact(nl, &m, NULL, NULL, what, err, errlen);
    if (rc < 0 || master <= 0) return rc;
    /* Hairpin mode on the new bridge port (flannel's hairpinMode): a pod reaching itself through a
     * service is DNATed back to the port it came in on, which a bridge otherwise refuses to do when
     * br_netfilter runs iptables on bridged frames. */
    unsigned int index = if_nametoindex(name);
    if (index == 0) {
        say(err, errlen, "finding the new veth for hairpin mode", errno, name);
        return -1;
    }
    struct ifinfomsg bifi = {.ifi_family = AF_BRIDGE, .ifi_index = (int)index};
    struct msg h;
    msg_init(&h, RTM_SETLINK, NLM_F_ACK, &bifi, sizeof bifi);
    struct rtattr *protinfo = nest(&h, IFLA_PROTINFO);
    attr_u8(&h, IFLA_BRPORT_MODE, 1);
    nest_end(&h, protinfo);
    if (protinfo) protinfo->rta_type |= NLA_F_NESTED;
    snprintf(what, sizeof what, "setting hairpin mode on %s", name);
    return transact(nl, &h, NULL, NULL, what, err, errlen);
}

int edge_nl_vxlan_add(int nl, const char *name, uint32_t vni, uint32_t local, int dev_index, uint16_t port, int mtu,
                      const unsigned char mac[6], char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct msg m;
    msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof ifi);
    attr_str(&m, IFLA_IFNAME, name);
    if (mtu > 0) attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
    if (mac) attr(&m, IFLA_ADDRESS, mac, 6);
    struct rtattr *info = nest(&m, IFLA_LINKINFO);
    attr(&m, IFLA_INFO_KIND, "vxlan", 5);
    struct rtattr *data = nest(&m, IFLA_INFO_DATA);
    attr_u32(&m, IFLA_VXLAN_ID, vni);
    if (local) attr_ip(&m, IFLA_VXLAN_LOCAL, local);
    if (dev_index > 0) attr_u32(&m, IFLA_VXLAN_LINK, (uint32_t)dev_index);
    attr_u16(&m, IFLA_VXLAN_PORT, htons(port));
    attr_u8(&m, IFLA_VXLAN_LEARNING, 0);
    nest_end(&m, data);
    nest_end(&m, info);
    char what[64];
    snprintf(what, sizeof what, "creating vxlan device %s", name);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

int edge_nl_link_set(int nl, int index, int up, int mtu, char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
    if (up >= 0) { ifi.ifi_change = IFF_UP; ifi.ifi_flags = up ? IFF_UP : 0; }
    struct msg m;
    msg_init(&m, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
    if (mtu > 0) attr_u32(&m, IFLA_MTU, (uint32_t)mtu);
    char what[64];
    snprintf(what, sizeof what, "configuring link %d", index);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

int edge_nl_link_del(int nl, int index, char *err, size_t errlen) {
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
    struct msg m;
    msg_init(&m, RTM_DELLINK, NLM_F_ACK, &ifi, sizeof ifi);
    char what[64];
    snprintf(what, sizeof what, "deleting link %d", index);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

/* ---- addresses ---- */

int edge_nl_addr_add(int nl, int index, uint32_t addr, int prefix, char *err, size_t errlen) {
    struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index,
                            .ifa_scope = RT_SCOPE_UNIVERSE};
    struct msg m;
    msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, &ifa, sizeof ifa);
    attr_ip(&m, IFA_LOCAL, addr);
    attr_ip(&m, IFA_ADDRESS, addr);
    if (prefix < 31) {
        uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
        attr_ip(&m, IFA_BROADCAST, addr | ~mask);
    }
    char what[64];
    snprintf(what, sizeof what, "adding address to link %d", index);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

int edge_nl_addr_del(int nl, int index, uint32_t addr, int prefix, char *err, size_t errlen) {
    struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)index};
    struct msg m;
    msg_init(&m, RTM_DELADDR, NLM_F_ACK, &ifa, sizeof ifa);
    attr_ip(&m, IFA_LOCAL, addr);
    char what[64];
    snprintf(what, sizeof what, "deleting an address of link %d", index);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

struct addr_list { struct edge_addr *out; int max, n; };

static int each_addr(struct nlmsghdr *r, void *ctx) {
    struct addr_list *l = ctx;
    if (r->nlmsg_type != RTM_NEWADDR || l->n >= l->max) return 0;
    struct ifaddrmsg *ifa = NLMSG_DATA(r);
    if (ifa->ifa_family != AF_INET) return 0;
    struct edge_addr *o = &l->out[l->n];
    memset(o, 0, sizeof *o);
    o->index = (int)ifa->ifa_index;
    o->prefix = ifa->ifa_prefixlen;
    int len = (int)IFA_PAYLOAD(r);
    int have = 0;
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if ((a->rta_type == IFA_LOCAL || (a->rta_type == IFA_ADDRESS && !have)) && RTA_PAYLOAD(a) >= 4) {
            o->addr = ntohl(*(uint32_t *)RTA_DATA(a));
            have = 1;
        }
    }
    if (have) l->n++;
    return 0;
}

int edge_nl_addr_list(int nl, struct edge_addr *out, int max, char *err, size_t errlen) {
    struct ifaddrmsg ifa = {.ifa_family = AF_INET};
    struct msg m;
    msg_init(&m, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
    struct addr_list l = {out, max, 0};
    int rc = transact(nl, &m, each_addr, &l, "listing addresses", err, errlen);
    return rc < 0 ? rc : l.n;
}

/* ---- routes ---- */

static void route_msg(struct msg *m, int type, int flags, uint32_t dst, int prefix, uint32_t gateway, int oif, int onlink, int protocol,
                      int scope) {
    struct rtmsg rt = {.rtm_family = AF_INET, .rtm_dst_len = (unsigned char)prefix, .rtm_table = RT_TABLE_MAIN,
                       .rtm_protocol = (unsigned char)protocol, .rtm_scope = (unsigned char)scope, .rtm_type = RTN_UNICAST};
    if (onlink) rt.rtm_flags |= RTNH_F_ONLINK;
    msg_init(m, type, flags, &rt, sizeof rt);
    if (prefix > 0) attr_ip(m, RTA_DST, dst);
    if (gateway) attr_ip(m, RTA_GATEWAY, gateway);
    if (oif > 0) attr_u32(m, RTA_OIF, (uint32_t)oif);
}

int edge_nl_route_replace(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int onlink, int protocol, char *err, size_t errlen) {
    return edge_nl_route_replace_mtu(nl, dst, prefix, gateway, oif, onlink, protocol, 0, err, errlen);
}

int edge_nl_route_replace_mtu(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int onlink, int protocol, uint32_t mtu,
                              char *err, size_t errlen) {
    struct msg m;
    route_msg(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, dst, prefix, gateway, oif, onlink, protocol,
              gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    if (mtu > 0) {
        struct rtattr *metrics = nest(&m, RTA_METRICS);
        attr_u32(&m, RTAX_MTU, mtu);
        nest_end(&m, metrics);
    }
    char what[80];
    snprintf(what, sizeof what, "adding route to %u.%u.%u.%u/%d", dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255, prefix);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

int edge_nl_route_del(int nl, uint32_t dst, int prefix, uint32_t gateway, int oif, int protocol, char *err, size_t errlen) {
    struct msg m;
    route_msg(&m, RTM_DELROUTE, NLM_F_ACK, dst, prefix, gateway, oif, 0, protocol, RT_SCOPE_NOWHERE);
    char what[80];
    snprintf(what, sizeof what, "deleting route to %u.%u.%u.%u/%d", dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255, prefix);
    return transact(nl, &m, NULL, NULL, what, err, errlen);
}

struct route_list { struct edge_route *out; int max, n, protocol; };

static int each_route(struct nlmsghdr *r, void *ctx) {
    struct route_list *l = ctx;
    if (r->nlmsg_type != RTM_NEWROUTE || l->n >= l->max) return 0;
    struct rtmsg *rt = NLMSG_DATA(r);
    if (rt->rtm_family != AF_INET || rt->rtm_type != RTN_UNICAST) return 0;
    if (l->protocol > 0 && rt->rtm_protocol != l->protocol) return 0;
    struct edge_route o = {.prefix = rt->rtm_dst_len, .protocol = rt->rtm_protocol, .scope = rt->rtm_scope,
                           .onlink = (rt->rtm_flags & RTNH_F_ONLINK) != 0, .table = rt->rtm_table};
    int len = (int)RTM_PAYLOAD(r);
    for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= 4) o.dst = ntohl(*(uint32_t *)RTA_DATA(a));
        if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) >= 4) o.gateway = ntohl(*(uint32_t *)RTA_DATA(a));
        if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= 4) o.oif = (int)*(uint32_t *)RTA_DATA(a);
        if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4) o.table = *(uint32_t *)RTA_DATA(a);
    }
    if (o.table != RT_TABLE_MAIN) return 0;
    l->out[l->n++] = o;
    return 0;
}

int edge_nl_route_list(int nl, int protocol, struct edge_route *out, int max, char *err, size_t errlen) {
    struct rtmsg rt = {.rtm_family = AF_INET};
    struct msg m;
    msg_init(&m, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof rt);
    struct route_list l = {out, max, 0, protocol};
    int rc = transact(nl, &m, each_route, &l, "listing routes", err, errlen);
    return rc < 0 ? rc : l.n;
}

/* ---- neighbours and VXLAN forwarding entries ---- */

static void neigh_msg(struct msg *m, int type, int flags, int family, int index, int ntf) {
    struct ndmsg nd = {.ndm_family = (unsigned char)family, .ndm_ifindex = index, .ndm_state = NUD_PERMANENT, .ndm_flags = (unsigned char)ntf};
    msg_init(m, type, flags, &nd, sizeof nd);
}

int edge_nl_neigh_replace(int nl, int index, uint32_t ip, const unsigned char mac[6], char *err, size_t errlen) {
    struct msg m;
    neigh_msg(&m, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, AF_INET, index, 0);
    attr_ip(&m, NDA_DST, ip);
    attr(&m, NDA_LLADDR, mac, 6);
    return transact(nl, &m, NULL, NULL, "adding a neighbour entry", err, errlen);
}

int edge_nl_neigh_del(int nl, int index, uint32_t ip, char *err, size_t errlen) {
    struct msg m;
    neigh_msg(&m, RTM_DELNEIGH, NLM_F_ACK, AF_INET, index, 0);
    attr_ip(&m, NDA_DST, ip);
    return transact(nl, &m, NULL, NULL, "deleting a neighbour entry", err, errlen);
}

int edge_nl_fdb_replace(int nl, int index, const unsigned char mac[6], uint32_t dst, char *err, size_t errlen) {
    struct msg m;
    neigh_msg(&m, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, AF_BRIDGE, index, NTF_SELF);
    attr(&m, NDA_LLADDR, mac, 6);
    attr_ip(&m, NDA_DST, dst);
    return transact(nl, &m, NULL, NULL, "adding a vxlan forwarding entry", err, errlen);
}

int edge_nl_fdb_del(int nl, int index, const unsigned char mac[6], uint32_t dst, char *err, size_t errlen) {
    struct msg m;
    neigh_msg(&m, RTM_DELNEIGH, NLM_F_ACK, AF_BRIDGE, index, NTF_SELF);
    attr(&m, NDA_LLADDR, mac, 6);
    attr_ip(&m, NDA_DST, dst);
    return transact(nl, &m, NULL, NULL, "deleting a vxlan forwarding entry", err, errlen);
}

struct neigh_list { struct edge_neigh *out; int max, n, index; };

static int each_neigh(struct nlmsghdr *r, void *ctx) {
    struct neigh_list *l = ctx;
    if (r->nlmsg_type != RTM_NEWNEIGH || l->n >= l->max) return 0;
    struct ndmsg *nd = NLMSG_DATA(r);
    if (nd->ndm_ifindex != l->index || !(nd->ndm_state & NUD_PERMANENT)) return 0;
    struct edge_neigh o = {.index = nd->ndm_ifindex, .state = nd->ndm_state, .flags = nd->ndm_flags};
    int len = (int)(r->nlmsg_len - NLMSG_LENGTH(sizeof *nd));
    for (struct rtattr *a = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof *nd)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 4) {
            uint32_t v = ntohl(*(uint32_t *)RTA_DATA(a));
            if (nd->ndm_family == AF_INET) o.ip = v; else o.dst = v;
        }
        if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) memcpy(o.mac, RTA_DATA(a), 6);
    }
    l->out[l->n++] = o;
    return 0;
}

static int neigh_dump(int nl, int family, int index, struct edge_neigh *out, int max, const char *what, char *err, size_t errlen) {
    struct ndmsg nd = {.ndm_family = (unsigned char)family};
    struct msg m;
    msg_init(&m, RTM_GETNEIGH, NLM_F_DUMP, &nd, sizeof nd);
    struct neigh_list l = {out, max, 0, index};
    int rc = transact(nl, &m, each_neigh, &l, what, err, errlen);
    return rc < 0 ? rc : l.n;
}

int edge_nl_neigh_list(int nl, int index, struct edge_neigh *out, int max, char *err, size_t errlen) {
    return neigh_dump(nl, AF_INET, index, out, max, "listing neighbour entries", err, errlen);
}

int edge_nl_fdb_list(int nl, int index, struct edge_neigh *out, int max, char *err, size_t errlen) {
    return neigh_dump(nl, AF_BRIDGE, index, out, max, "listing vxlan forwarding entries", err, errlen);
}
