// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A 65-byte secp256k1 signature as a static struct: cheaper to decode than `bytes`.
struct Sig {
    bytes32 r;
    bytes32 s;
    uint8 v;
}

/// @notice protocol/messages.ts ProofRequest, field for field (EIP-712 order).
struct ProofRequest {
    uint64 marketId;
    address requester;
    bytes32 inputsHash;
    bytes32 secretHash;
    uint256 maxPrice;
    uint64 assignBy;
    uint64 provingTime;
    uint64 nonce;
}

/// @notice protocol/messages.ts Quote, field for field (EIP-712 order).
struct Quote {
    uint64 marketId;
    address prover;
    uint256 price;
    uint64 provingTime;
    uint32 capacity;
    uint64 validUntil;
    uint64 nonce;
}

/// @notice protocol/messages.ts BatchHeader, field for field (EIP-712 order).
struct BatchHeader {
    uint64 term;
    uint64 seq;
    bytes32 prevHash;
    uint64 time;
    bytes32 eventsHash;
    bytes32 assignmentsHash;
    bytes32 stateDigest;
}

/// @notice An enclave attestation as the attestation verifier signs it.
struct Attestation {
    bytes32 imageId;
    uint64 timestamp;
    Sig signature;
}

/// @notice EIP-712 type hashes and struct hashes; must equal protocol/eip712.ts byte for byte.
library Hashing {
    bytes32 internal constant REQUEST_TYPEHASH = keccak256(
        "ProofRequest(uint64 marketId,address requester,bytes32 inputsHash,bytes32 secretHash,uint256 maxPrice,uint64 assignBy,uint64 provingTime,uint64 nonce)"
    );
    bytes32 internal constant QUOTE_TYPEHASH = keccak256(
        "Quote(uint64 marketId,address prover,uint256 price,uint64 provingTime,uint32 capacity,uint64 validUntil,uint64 nonce)"
    );
    bytes32 internal constant CANCEL_TYPEHASH = keccak256("Cancel(bytes32 requestId,address requester)");
    bytes32 internal constant BATCH_HEADER_TYPEHASH = keccak256(
        "BatchHeader(uint64 term,uint64 seq,bytes32 prevHash,uint64 time,bytes32 eventsHash,bytes32 assignmentsHash,bytes32 stateDigest)"
    );
    bytes32 internal constant ASSIGNMENT_TYPEHASH = keccak256(
        "Assignment(bytes32 requestId,bytes32 quoteId,address prover,uint256 price,uint64 provingTime)"
    );
    /// @dev Chain-only type: what the leader signs to anchor assignments (chain/assignment-batch.ts).
    bytes32 internal constant ASSIGNMENT_BATCH_TYPEHASH =
        keccak256("AssignmentBatch(uint64 term,bytes32 assignmentsHash)");
    /// @dev Chain-only type: what an attestation verifier signs (chain/attestation.ts).
    bytes32 internal constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)");

    function request(ProofRequest calldata r) internal pure returns (bytes32) {
        return keccak256(abi.encode(REQUEST_TYPEHASH, r));
    }

    function quote(Quote calldata q) internal pure returns (bytes32) {
        return keccak256(abi.encode(QUOTE_TYPEHASH, q));
    }

    function cancel(bytes32 requestId, address requester) internal pure returns (bytes32) {
        return keccak256(abi.encode(CANCEL_TYPEHASH, requestId, requester));
    }

    function batchHeader(BatchHeader calldata h) internal pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_HEADER_TYPEHASH, h));
    }

    function assignment(bytes32 requestId, bytes32 quoteId, address prover, uint256 price, uint64 provingTime)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(ASSIGNMENT_TYPEHASH, requestId, quoteId, prover, price, provingTime));
    }

    function assignmentBatch(uint64 term, bytes32 assignmentsHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(ASSIGNMENT_BATCH_TYPEHASH, term, assignmentsHash));
    }

    function attestation(bytes calldata enclaveKey, bytes32 imageId, uint64 timestamp)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(ATTESTATION_TYPEHASH, keccak256(enclaveKey), imageId, timestamp));
    }
}
