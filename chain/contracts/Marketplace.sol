// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Balances} from "./Balances.sol";
import {IMatcherRegistry} from "./IMatcherRegistry.sol";
import {Markets} from "./Markets.sol";
import {ProverCollateral} from "./ProverCollateral.sol";
import {Requests} from "./Requests.sol";
import {Hashing, ProofRequest, Quote, Sig} from "./Types.sol";

/// @title Kalypso marketplace: markets, deposits, requests, assignment batches, proofs, slashing.
/// @notice Assignment batches come from the current leader of the matcher registry. The leader signs
/// `AssignmentBatch(uint64 term, bytes32 assignmentsHash)` under the REGISTRY's EIP-712 domain, where
/// assignmentsHash = keccak256 of the concatenated EIP-712 struct hashes of the batch's Assignments,
/// in order (the same definition as BatchHeader.assignmentsHash). A separate struct rather than the
/// log's BatchHeader lets a leader anchor any subset of the log (and a new leader re-anchor the old
/// term's assignments) without signing a second header for one (term, seq), which is equivocation.
contract Marketplace is Requests {
    /// @notice The batch's term is not the registry's current term (fencing).
    error StaleTerm(uint64 term, uint64 currentTerm);
    /// @notice The current term's lease has expired.
    error LeaseExpired(uint64 term, uint64 expiresAt);
    /// @notice The quote lapsed before this assignment.
    error QuoteExpired(bytes32 quoteId, uint64 validUntil);
    /// @notice The quote is for another market than the request.
    error MarketMismatch(bytes32 requestId, uint64 requestMarket, uint64 quoteMarket);
    /// @notice The quote's price exceeds the request's maxPrice.
    error PriceAboveMax(bytes32 requestId, uint256 price, uint256 maxPrice);
    /// @notice The quote's proving time exceeds the request's.
    error ProvingTimeTooLong(bytes32 requestId, uint64 quoteProvingTime, uint64 requestProvingTime);
    /// @notice The market requires TEE-attested provers and this prover is not.
    error ProverNotAttested(address prover);
    /// @notice A request points at a quote the batch does not carry.
    error QuoteIndexOutOfRange(uint256 index, uint256 quotes);
    /// @notice A batch without assignments.
    error EmptyBatch();

    /// @notice A request was assigned: everything fulfil and slash need is in this event.
    event RequestAssigned(
        bytes32 indexed requestId,
        address indexed prover,
        address requester,
        uint64 marketId,
        uint96 price,
        bytes32 inputsHash,
        uint64 deadline
    );
    /// @notice The leader of `term` anchored a batch of `count` assignments.
    event BatchAnchored(uint64 indexed term, bytes32 assignmentsHash, uint256 count);

    /// @notice A prover's quote with its EIP-712 signature: its consent to this price and proving time.
    struct SignedQuote {
        Quote quote;
        Sig signature;
    }

    /// @notice One assignment: the request (paid from the requester's deposit with its signature, or
    /// submitted on-chain earlier) and the index of its quote in the batch's quote list.
    struct RequestItem {
        ProofRequest request;
        Sig signature;
        uint32 quoteIndex;
        bool paidOnChain;
    }

    /// @notice The matcher registry whose leader may anchor assignments.
    IMatcherRegistry public immutable registry;
    uint256 private immutable CACHED_CHAIN_ID;
    bytes32 private immutable REGISTRY_SEPARATOR;

    /// @param registry_ The matcher registry.
    /// @param owner_ Receives the treasury.
    /// @param collateralWithdrawalDelayS Seconds between a collateral withdrawal request and the withdrawal.
    constructor(IMatcherRegistry registry_, address owner_, uint64 collateralWithdrawalDelayS)
        ProverCollateral(collateralWithdrawalDelayS)
        Balances(owner_)
    {
        registry = registry_;
        CACHED_CHAIN_ID = block.chainid;
        REGISTRY_SEPARATOR = _separatorOf(address(registry_));
    }

    /// @notice Anchor a batch of assignments signed by the current leader. Anyone may relay it.
    /// @param term The lease term the leader signed for; must be the current one.
    /// @param leaderSignature The leader's enclave-key signature over AssignmentBatch(term, assignmentsHash).
    /// @param quotes The quotes the batch uses, each verified once.
    /// @param items The requests, each with the index of its quote.
    function assign(
        uint64 term,
        Sig calldata leaderSignature,
        SignedQuote[] calldata quotes,
        RequestItem[] calldata items
    ) external {
        if (items.length == 0) revert EmptyBatch();
        (address leader, uint64 current, uint64 expiresAt) = registry.lease();
        if (term != current) revert StaleTerm(term, current);
        if (block.timestamp >= expiresAt) revert LeaseExpired(term, expiresAt);
        bytes32 separator = _domainSeparator();
        bytes32[] memory quoteIds = new bytes32[](quotes.length);
        for (uint256 i; i < quotes.length; ++i) {
            quoteIds[i] = _checkQuote(separator, quotes[i]);
        }
        bytes32[] memory hashes = new bytes32[](items.length);
        for (uint256 i; i < items.length; ++i) {
            hashes[i] = _assignOne(separator, items[i], quotes, quoteIds);
        }
        bytes32 assignmentsHash;
        assembly ("memory-safe") {
            assignmentsHash := keccak256(add(hashes, 32), mul(mload(hashes), 32))
        }
        _checkSigner(_digest(_registrySeparator(), Hashing.assignmentBatch(term, assignmentsHash)), leaderSignature, leader);
        emit BatchAnchored(term, assignmentsHash, items.length);
    }

    function _checkQuote(bytes32 separator, SignedQuote calldata sq) private view returns (bytes32 quoteId) {
        quoteId = _digest(separator, Hashing.quote(sq.quote));
        _checkSigner(quoteId, sq.signature, sq.quote.prover);
        if (sq.quote.validUntil < block.timestamp) revert QuoteExpired(quoteId, sq.quote.validUntil);
    }

    function _assignOne(
        bytes32 separator,
        RequestItem calldata item,
        SignedQuote[] calldata quotes,
        bytes32[] memory quoteIds
    ) private returns (bytes32 assignmentHash) {
        ProofRequest calldata r = item.request;
        if (item.quoteIndex >= quotes.length) revert QuoteIndexOutOfRange(item.quoteIndex, quotes.length);
        Quote calldata q = quotes[item.quoteIndex].quote;
        bytes32 requestId = _digest(separator, Hashing.request(r));
        _checkTerms(requestId, r, q);
        uint96 price = _to96(q.price);
        _escrow(requestId, item, price);
        Markets.Market storage m = _markets[r.marketId];
        if (m.requiresTee && !registry.isAttestedProver(q.prover)) revert ProverNotAttested(q.prover);
        _lockCollateral(q.prover, m.collateralPerRequest);
        uint64 deadline = uint64(block.timestamp) + q.provingTime;
        _slots[requestId] = _commitment(r.requester, r.marketId, q.prover, price, r.inputsHash)
            | (uint256(deadline) << 8) | uint256(Status.Assigned);
        emit RequestAssigned(requestId, q.prover, r.requester, r.marketId, price, r.inputsHash, deadline);
        assignmentHash = Hashing.assignment(requestId, quoteIds[item.quoteIndex], q.prover, q.price, q.provingTime);
    }

    /// @dev The quote is the prover's consent: same market, price within the request's max, proving time within the request's.
    function _checkTerms(bytes32 requestId, ProofRequest calldata r, Quote calldata q) private view {
        if (q.marketId != r.marketId) revert MarketMismatch(requestId, r.marketId, q.marketId);
        if (q.price > r.maxPrice) revert PriceAboveMax(requestId, q.price, r.maxPrice);
        if (q.provingTime > r.provingTime) revert ProvingTimeTooLong(requestId, q.provingTime, r.provingTime);
        if (block.timestamp > r.assignBy) revert AssignByPassed(requestId, r.assignBy);
    }

    /// @dev Moves `price` into escrow: from the on-chain payment (refunding the surplus) or the deposit.
    function _escrow(bytes32 requestId, RequestItem calldata item, uint96 price) private {
        ProofRequest calldata r = item.request;
        uint256 slot = _slots[requestId];
        if (item.paidOnChain) {
            if (_status(slot) != Status.Open) revert WrongStatus(requestId, _status(slot));
            uint256 surplus = r.maxPrice - price;
            if (surplus != 0) balanceOf[r.requester] += surplus;
        } else {
            if (slot != 0) revert WrongStatus(requestId, _status(slot));
            _checkSigner(requestId, item.signature, r.requester);
            _checkMarketRules(r);
            uint256 balance = balanceOf[r.requester];
            if (balance < price) revert InsufficientBalance(r.requester, balance, price);
            balanceOf[r.requester] = balance - price;
        }
    }

    function _registrySeparator() private view returns (bytes32) {
        return block.chainid == CACHED_CHAIN_ID ? REGISTRY_SEPARATOR : _separatorOf(address(registry));
    }
}
