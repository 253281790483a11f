// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IProofVerifier} from "../IProofVerifier.sol";

/// @title A trivial, deterministic verifier for tests and the gas benchmark (never for real markets).
/// @notice Accepts exactly the proofs whose first byte is 0x01.
contract TestVerifier is IProofVerifier {
    /// @inheritdoc IProofVerifier
    function verify(bytes calldata, bytes calldata proof) external pure returns (bool) {
        return proof.length > 0 && proof[0] == 0x01;
    }
}
