// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title What the marketplace asks the matcher registry: who leads, and which provers are attested.
interface IMatcherRegistry {
    /// @notice The current lease: leader (enclave address), term and expiry, from one storage slot.
    function lease() external view returns (address leader, uint64 term, uint64 expiresAt);

    /// @notice Whether `prover` registered a TEE attestation of a whitelisted prover image.
    function isAttestedProver(address prover) external view returns (bool);

    /// @notice The EIP-712 domain separator under which leaders sign batches.
    function domainSeparator() external view returns (bytes32);
}
