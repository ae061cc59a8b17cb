/* network: modified nodal analysis of a resistive network, gain from every source to every sense point. */
#ifndef TONEWIRE_NETWORK_H
#define TONEWIRE_NETWORK_H

#define NETWORK_MAX_NODES 64     /* not counting ground (node 0) */
#define NETWORK_MAX_SOURCES 16
#define NETWORK_MAX_SENSES 16
#define NETWORK_MAX_RESISTORS 256

typedef struct network network;

/* Create an empty network (all storage preallocated). NULL on failure. */
network *network_create(void);
void network_destroy(network *n);   /* accepts NULL */

/* Remove all elements; nodes 1..n_nodes are usable afterwards (0 = ground). */
int network_reset(network *n, unsigned n_nodes);

/* A resistor between two nodes (either may be 0). ohms > 0. Returns 0 or -EINVAL/-ENOSPC. */
int network_add_resistor(network *n, unsigned a, unsigned b, double ohms);

/* A unit voltage source behind `ohms` of source resistance, driving `node`
 * against ground. Returns the source index (0, 1, …) or a negative errno. */
int network_add_source(network *n, unsigned node, double ohms);

/* A sense point: V(pos) - V(neg); neg = 0 for single-ended.
 * Returns the sense index or a negative errno. */
int network_add_sense(network *n, unsigned pos, unsigned neg);

/* How many sources and sense points have been added. */
unsigned network_sources(const network *n);
unsigned network_senses(const network *n);

/* Solve: gain[s * n_sources + i] = voltage at sense s per volt of source i,
 * every other source at 0 V. Every node has a 1 GΩ leak to ground, so a
 * floating node is solvable (it sits at 0 V, or where its resistors hold it).
 * Never allocates. Returns 0 or -EDOM when the matrix is singular. */
int network_solve(network *n, double *gain);

/* After a successful network_solve, and before the network is changed:
 * the voltage of every node 1..n_nodes per volt of source `source`,
 * v[node - 1]. Lets a caller update the solution for an added element
 * (Sherman–Morrison) without solving again. Returns 0 or -EINVAL. */
int network_node_voltages(const network *n, unsigned source, double *v);

/* After a successful network_solve, and before the network is changed:
 * the voltage of every node 1..n_nodes, v[node - 1], when 1 A flows into
 * node a and out of node b (either may be 0 = ground), every source at
 * 0 V: one column of the network's impedance matrix. Never allocates.
 * Returns 0 or -EINVAL. */
int network_transfer(network *n, unsigned a, unsigned b, double *v);

#endif
