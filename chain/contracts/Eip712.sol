// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Sig} from "./Types.sol";

/// @title EIP-712 domain and strict signature recovery shared by Kalypso's contracts.
/// @dev Domain: name "Kalypso", version "1", chain id, contract address (protocol/eip712.ts makeDomain).
abstract contract Eip712 {
    /// @notice r or s is zero, v is not 27/28, or no key recovers.
    error SignatureMalformed();
    /// @notice s is above half the curve order (the malleable twin of a valid signature).
    error SignatureHighS();
    /// @notice The signature is valid but by someone else.
    error SignerMismatch(address expected, address recovered);

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Kalypso");
    bytes32 private constant VERSION_HASH = keccak256("1");
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    uint256 private immutable CACHED_CHAIN_ID;
    bytes32 private immutable CACHED_SEPARATOR;

    constructor() {
        CACHED_CHAIN_ID = block.chainid;
        CACHED_SEPARATOR = _separatorOf(address(this));
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function domainSeparator() public view virtual returns (bytes32) {
        return _domainSeparator();
    }

    function _separatorOf(address verifyingContract) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, verifyingContract));
    }

    function _domainSeparator() internal view returns (bytes32) {
        // Recomputed only after a chain split changed the chain id: old signatures then stop working.
        return block.chainid == CACHED_CHAIN_ID ? CACHED_SEPARATOR : _separatorOf(address(this));
    }

    function _digest(bytes32 separator, bytes32 structHash) internal pure returns (bytes32 d) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, hex"1901")
            mstore(add(p, 2), separator)
            mstore(add(p, 34), structHash)
            d := keccak256(p, 66)
        }
    }

    function _recover(bytes32 digest, Sig calldata sig) internal pure returns (address signer) {
        if (sig.r == 0 || sig.s == 0 || (sig.v != 27 && sig.v != 28)) revert SignatureMalformed();
        if (uint256(sig.s) > HALF_ORDER) revert SignatureHighS();
        signer = ecrecover(digest, sig.v, sig.r, sig.s);
        if (signer == address(0)) revert SignatureMalformed();
    }

    function _checkSigner(bytes32 digest, Sig calldata sig, address expected) internal pure {
        address signer = _recover(digest, sig);
        if (signer != expected) revert SignerMismatch(expected, signer);
    }
}
