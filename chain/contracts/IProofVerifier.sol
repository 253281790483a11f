// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title The one interface every market's verifier implements.
/// @notice A market is defined by its verifier: Kalypso does not care which proving system is behind it.
interface IProofVerifier {
    /// @notice Whether `proof` proves the statement with public inputs `publicInputs`.
    /// @param publicInputs The public inputs, ABI-encoded as the verifier defines.
    /// @param proof The proof, ABI-encoded as the verifier defines.
    /// @return True if and only if the proof verifies.
    function verify(bytes calldata publicInputs, bytes calldata proof) external view returns (bool);
}
