/* interface_priv: what the two halves of the interface reader share (private to profiles/). */
#ifndef TONEWIRE_INTERFACE_PRIV_H
#define TONEWIRE_INTERFACE_PRIV_H

#include <stddef.h>

#include "interface.h"

/* A whole-number key: where it goes in struct tw_interface, its range, its IFACE_SET_* bit. */
struct iface_uint_key {
	const char *name;
	size_t offset;
	unsigned lo, hi, bit;
};
extern const struct iface_uint_key iface_uint_keys[];
extern const unsigned iface_n_uint_keys;

/* Add a control line to i: a profile's (needed values, with role) or, with
 * scenario set, a power-on value. 0 or -EINVAL with err. */
int iface_add_control(struct tw_interface *i, const char *value, int role, int scenario, char err[PROFILE_ERR_MAX]);

#endif
