pragma circom 2.1.0;

// Knowledge of a Poseidon preimage: the prover knows `preimage` with Poseidon(preimage) == hash.
// Public signals: [hash].
include "circomlib/circuits/poseidon.circom";

template PoseidonPreimage() {
    signal input preimage;
    signal input hash;

    component h = Poseidon(1);
    h.inputs[0] <== preimage;
    hash === h.out;
}

component main {public [hash]} = PoseidonPreimage();
