// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IProofVerifier} from "./IProofVerifier.sol";

/// @title Markets: one per circuit, created by anyone, immutable once created.
abstract contract Markets {
    /// @notice No market has this id.
    error MarketNotFound(uint64 marketId);
    /// @notice minProvingTime must be >= 1 and <= maxProvingTime.
    error BadProvingTimeBounds(uint32 minProvingTime, uint32 maxProvingTime);
    /// @notice A market without collateral would let provers walk away from assignments for free.
    error ZeroCollateral();
    /// @notice The verifier rejected (or reverted on) the sample proof given at creation.
    error SampleProofRejected(address verifier);
    /// @notice The verifier address has no code.
    error NotAContract(address account);

    /// @notice A market was created; `metadata` is free-form (e.g. circuit name and artefact hashes).
    event MarketCreated(
        uint64 indexed marketId,
        address indexed creator,
        address verifier,
        uint256 collateralPerRequest,
        uint32 minProvingTime,
        uint32 maxProvingTime,
        bool requiresTee,
        bytes metadata
    );

    /// @notice What a creator chooses for a market.
    struct MarketParams {
        IProofVerifier verifier;
        uint96 collateralPerRequest;
        uint32 minProvingTime;
        uint32 maxProvingTime;
        bool requiresTee;
        bytes metadata;
    }

    /// @dev Slot 0 is all that fulfil and slash read; slot 1 only assignment and on-chain requests.
    struct Market {
        IProofVerifier verifier;
        uint96 collateralPerRequest;
        uint32 minProvingTime;
        uint32 maxProvingTime;
        bool requiresTee;
    }

    /// @notice Number of markets; ids run from 1 to marketCount.
    uint64 public marketCount;
    // market id -> rules
    mapping(uint64 => Market) internal _markets;

    /// @notice Create a market for the circuit `p.verifier` verifies. Permissionless.
    /// @param p The market's rules.
    /// @param samplePublicInputs Public inputs of a proof the verifier must accept.
    /// @param sampleProof A proof the verifier must accept: evidence the verifier is live and fits the interface.
    /// @return marketId The new market's id.
    function createMarket(MarketParams calldata p, bytes calldata samplePublicInputs, bytes calldata sampleProof)
        external
        returns (uint64 marketId)
    {
        if (p.minProvingTime == 0 || p.minProvingTime > p.maxProvingTime) {
            revert BadProvingTimeBounds(p.minProvingTime, p.maxProvingTime);
        }
        if (p.collateralPerRequest == 0) revert ZeroCollateral();
        address verifier = address(p.verifier);
        if (verifier.code.length == 0) revert NotAContract(verifier);
        // A staticcall (verify is view): the verifier cannot re-enter to change state.
        try p.verifier.verify(samplePublicInputs, sampleProof) returns (bool ok) {
            if (!ok) revert SampleProofRejected(verifier);
        } catch {
            revert SampleProofRejected(verifier);
        }
        marketId = ++marketCount;
        _markets[marketId] = Market({
            verifier: p.verifier,
            collateralPerRequest: p.collateralPerRequest,
            minProvingTime: p.minProvingTime,
            maxProvingTime: p.maxProvingTime,
            requiresTee: p.requiresTee
        });
        emit MarketCreated(
            marketId,
            msg.sender,
            verifier,
            p.collateralPerRequest,
            p.minProvingTime,
            p.maxProvingTime,
            p.requiresTee,
            p.metadata
        );
    }

    /// @notice A market's rules.
    function marketOf(uint64 marketId) external view returns (Market memory) {
        return _existing(marketId);
    }

    function _existing(uint64 marketId) internal view returns (Market storage m) {
        m = _markets[marketId];
        if (address(m.verifier) == address(0)) revert MarketNotFound(marketId);
    }
}
