// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Balances} from "./Balances.sol";
import {Eip712} from "./Eip712.sol";
import {IProofVerifier} from "./IProofVerifier.sol";
import {Markets} from "./Markets.sol";
import {Hashing, ProofRequest, Sig} from "./Types.sol";

/// @title The life of a request after it is on-chain: submission with payment, cancel, refund,
/// fulfil and slash. Assignment lives in Marketplace.
/// @dev A request's state is ONE storage slot: status (bits 0-7), a time (bits 8-47: the deadline
/// once assigned) and, once assigned, the top 208 bits of keccak256(requester, marketId, prover,
/// price, inputsHash). Fulfil and slash take those fields as calldata (from the RequestAssigned
/// event) and check them against the commitment: one 22k-gas slot per request instead of three.
abstract contract Requests is Eip712, Markets, Balances {
    /// @notice Where a request is in its life. None: never seen on-chain (a signed request paid from a deposit).
    enum Status {
        None,
        Open,
        Assigned,
        Fulfilled,
        Slashed,
        Cancelled,
        Refunded
    }

    /// @notice The request is not in a status that allows this.
    error WrongStatus(bytes32 requestId, Status status);
    /// @notice The caller is not the request's requester.
    error NotRequester(address caller, address requester);
    /// @notice msg.value must equal the request's maxPrice.
    error WrongPayment(uint256 sent, uint256 expected);
    /// @notice The request's proving time is outside the market's bounds.
    error ProvingTimeOutOfBounds(uint64 provingTime, uint32 minProvingTime, uint32 maxProvingTime);
    /// @notice The request's assign-by time has passed.
    error AssignByPassed(bytes32 requestId, uint64 assignBy);
    /// @notice The request's assign-by time has not passed yet.
    error AssignByNotPassed(bytes32 requestId, uint64 assignBy);
    /// @notice The assignment record given does not match the one committed at assignment.
    error RecordMismatch(bytes32 requestId);
    /// @notice The proof came after the deadline.
    error DeadlinePassed(bytes32 requestId, uint64 deadline);
    /// @notice The deadline has not passed: no slash yet.
    error DeadlineNotPassed(bytes32 requestId, uint64 deadline);
    /// @notice The market's verifier rejected the proof.
    error ProofRejected(bytes32 requestId);
    /// @notice keccak256(publicInputs) is not the request's inputsHash.
    error InputsMismatch(bytes32 requestId);

    /// @notice A request was submitted on-chain with its payment (`maxPrice` escrowed).
    event RequestSubmitted(bytes32 indexed requestId, ProofRequest request);
    /// @notice A request will never be assigned; `refund` went back to the requester's balance.
    event RequestCancelled(bytes32 indexed requestId, address indexed requester, uint256 refund);
    /// @notice An on-chain request was refunded after its assign-by time.
    event RequestRefunded(bytes32 indexed requestId, address indexed requester, uint256 refund);
    /// @notice The proof verified: the prover earned `price` and its collateral is free again.
    event RequestFulfilled(bytes32 indexed requestId, address indexed prover, uint256 price);
    /// @notice The prover missed the deadline: requester refunded and compensated, caller paid a bounty.
    event RequestSlashed(
        bytes32 indexed requestId,
        address indexed prover,
        address requester,
        address slasher,
        uint256 toRequester,
        uint256 bounty,
        uint256 toTreasury
    );

    /// @notice Everything fulfil and slash need to know about an assigned request (see RequestAssigned).
    struct Assigned {
        bytes32 requestId;
        address requester;
        uint64 marketId;
        address prover;
        uint96 price;
        bytes32 inputsHash;
    }

    /// @notice A proof for an assigned request.
    struct ProofSubmission {
        Assigned record;
        bytes publicInputs;
        bytes proof;
    }

    /// @notice Share of slashed collateral paid to whoever calls slash, in basis points.
    uint256 public constant SLASH_BOUNTY_BPS = 1000;
    /// @notice Share of slashed collateral kept by the treasury; the requester gets the rest.
    uint256 public constant SLASH_TREASURY_BPS = 1000;
    uint256 private constant BPS = 10_000;
    uint256 private constant COMMITMENT_MASK = ~uint256(0) << 48;

    // request id -> packed status, time, commitment (see the contract's @dev)
    mapping(bytes32 => uint256) internal _slots;

    /// @notice Submit a request and pay `maxPrice` with it (for requesters that are contracts).
    /// @return requestId The request's EIP-712 digest under this contract's domain.
    function submitRequest(ProofRequest calldata r) external payable returns (bytes32 requestId) {
        if (msg.sender != r.requester) revert NotRequester(msg.sender, r.requester);
        if (r.maxPrice == 0) revert ZeroAmount();
        if (msg.value != r.maxPrice) revert WrongPayment(msg.value, r.maxPrice);
        requestId = _requestId(r);
        if (block.timestamp > r.assignBy) revert AssignByPassed(requestId, r.assignBy);
        _checkMarketRules(r);
        if (_slots[requestId] != 0) revert WrongStatus(requestId, _status(_slots[requestId]));
        _slots[requestId] = uint256(Status.Open);
        emit RequestSubmitted(requestId, r);
    }

    /// @notice Cancel an unassigned request as its requester; an on-chain payment is refunded.
    function cancel(ProofRequest calldata r) external {
        if (msg.sender != r.requester) revert NotRequester(msg.sender, r.requester);
        _cancel(_requestId(r), r);
    }

    /// @notice Cancel an unassigned request with the requester's signed Cancel (anyone may relay it).
    function cancelSigned(ProofRequest calldata r, Sig calldata signature) external {
        bytes32 requestId = _requestId(r);
        _checkSigner(_digest(_domainSeparator(), Hashing.cancel(requestId, r.requester)), signature, r.requester);
        _cancel(requestId, r);
    }

    /// @notice Refund an on-chain request that was not assigned by its assign-by time. Anyone may call.
    function refund(ProofRequest calldata r) external {
        bytes32 requestId = _requestId(r);
        uint256 slot = _slots[requestId];
        if (_status(slot) != Status.Open) revert WrongStatus(requestId, _status(slot));
        if (block.timestamp <= r.assignBy) revert AssignByNotPassed(requestId, r.assignBy);
        _slots[requestId] = uint256(Status.Refunded);
        balanceOf[r.requester] += r.maxPrice;
        emit RequestRefunded(requestId, r.requester, r.maxPrice);
    }

    /// @notice Submit a proof for an assigned request before its deadline. Anyone may submit it;
    /// the assigned prover is paid.
    function fulfil(ProofSubmission calldata p) external {
        _fulfil(p);
    }

    /// @notice `fulfil` for many requests in one transaction; one bad proof reverts the batch.
    function fulfilBatch(ProofSubmission[] calldata ps) external {
        for (uint256 i; i < ps.length; ++i) {
            _fulfil(ps[i]);
        }
    }

    /// @notice Slash an assigned, unfulfilled request past its deadline. Anyone may call, for the bounty.
    function slash(Assigned calldata a) external {
        uint64 deadline = _loadAssigned(a);
        if (block.timestamp <= deadline) revert DeadlineNotPassed(a.requestId, deadline);
        uint256 c = _markets[a.marketId].collateralPerRequest;
        uint256 bounty = (c * SLASH_BOUNTY_BPS) / BPS;
        uint256 toTreasury = (c * SLASH_TREASURY_BPS) / BPS;
        // Full refund plus the rest of the collateral: never more than what was locked.
        uint256 toRequester = a.price + (c - bounty - toTreasury);
        _slots[a.requestId] = uint256(Status.Slashed);
        _seizeCollateral(a.prover, c);
        balanceOf[a.requester] += toRequester;
        balanceOf[msg.sender] += bounty;
        treasury += toTreasury;
        emit RequestSlashed(a.requestId, a.prover, a.requester, msg.sender, toRequester, bounty, toTreasury);
    }

    /// @notice A request's status and its deadline (zero unless assigned).
    function requestState(bytes32 requestId) external view returns (Status status, uint64 deadline) {
        uint256 slot = _slots[requestId];
        status = _status(slot);
        deadline = status == Status.Assigned ? uint64(uint40(slot >> 8)) : 0;
    }

    /// @notice The id of a request: its EIP-712 digest under this contract's domain.
    function requestIdOf(ProofRequest calldata r) external view returns (bytes32) {
        return _requestId(r);
    }

    function _fulfil(ProofSubmission calldata p) internal {
        Assigned calldata a = p.record;
        uint64 deadline = _loadAssigned(a);
        if (block.timestamp > deadline) revert DeadlinePassed(a.requestId, deadline);
        if (keccak256(p.publicInputs) != a.inputsHash) revert InputsMismatch(a.requestId);
        (IProofVerifier verifier, uint256 c) = (
            _markets[a.marketId].verifier, _markets[a.marketId].collateralPerRequest
        );
        // verify is view, so this is a staticcall: the verifier cannot re-enter to change state.
        try verifier.verify(p.publicInputs, p.proof) returns (bool ok) {
            if (!ok) revert ProofRejected(a.requestId);
        } catch {
            revert ProofRejected(a.requestId);
        }
        _slots[a.requestId] = uint256(Status.Fulfilled);
        balanceOf[a.prover] += a.price;
        _unlockCollateral(a.prover, c);
        emit RequestFulfilled(a.requestId, a.prover, a.price);
    }

    function _cancel(bytes32 requestId, ProofRequest calldata r) internal {
        Status s = _status(_slots[requestId]);
        uint256 refunded;
        if (s == Status.Open) refunded = r.maxPrice;
        else if (s != Status.None) revert WrongStatus(requestId, s);
        _slots[requestId] = uint256(Status.Cancelled);
        if (refunded != 0) balanceOf[r.requester] += refunded;
        emit RequestCancelled(requestId, r.requester, refunded);
    }

    /// @dev Checks status Assigned and the record against the commitment; returns the deadline.
    function _loadAssigned(Assigned calldata a) internal view returns (uint64 deadline) {
        uint256 slot = _slots[a.requestId];
        if (_status(slot) != Status.Assigned) revert WrongStatus(a.requestId, _status(slot));
        if (slot & COMMITMENT_MASK != _commitment(a.requester, a.marketId, a.prover, a.price, a.inputsHash)) {
            revert RecordMismatch(a.requestId);
        }
        deadline = uint64(uint40(slot >> 8));
    }

    function _commitment(address requester, uint64 marketId, address prover, uint96 price, bytes32 inputsHash)
        internal
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(requester, marketId, prover, price, inputsHash))) & COMMITMENT_MASK;
    }

    /// @dev The market exists and the proving time is within its bounds.
    function _checkMarketRules(ProofRequest calldata r) internal view {
        Markets.Market storage m = _existing(r.marketId);
        if (r.provingTime < m.minProvingTime || r.provingTime > m.maxProvingTime) {
            revert ProvingTimeOutOfBounds(r.provingTime, m.minProvingTime, m.maxProvingTime);
        }
    }

    function _requestId(ProofRequest calldata r) internal view returns (bytes32) {
        return _digest(_domainSeparator(), Hashing.request(r));
    }

    function _status(uint256 slot) internal pure returns (Status) {
        return Status(uint8(slot));
    }
}
