pragma circom 2.1.0;

// Membership of `leaf` in a Poseidon Merkle tree of depth DEPTH with root `root`. The path
// (siblings and left/right bits) stays private. Public signals: [root, leaf].
// A node is Poseidon(left, right); pathIndices[i] = 1 means the running node is the right child.
include "circomlib/circuits/poseidon.circom";

template MerkleMembership(DEPTH) {
    signal input root;
    signal input leaf;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];

    signal node[DEPTH + 1];
    signal left[DEPTH];
    signal right[DEPTH];
    component hashers[DEPTH];

    node[0] <== leaf;
    for (var i = 0; i < DEPTH; i++) {
        // A bit, or the path could mix the two children.
        pathIndices[i] * (pathIndices[i] - 1) === 0;
        // left = bit ? sibling : node; right = bit ? node : sibling (one multiplication each).
        left[i] <== node[i] + pathIndices[i] * (pathElements[i] - node[i]);
        right[i] <== pathElements[i] + node[i] - left[i];
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== right[i];
        node[i + 1] <== hashers[i].out;
    }
    root === node[DEPTH];
}

component main {public [root, leaf]} = MerkleMembership(4);
