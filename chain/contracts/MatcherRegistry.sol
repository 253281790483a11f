// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Eip712} from "./Eip712.sol";
import {IMatcherRegistry} from "./IMatcherRegistry.sol";
import {Attestation, BatchHeader, Hashing, Sig} from "./Types.sol";

/// @title Matcher registry: attested matchers, their bonds, the leadership lease and equivocation.
/// @notice A matcher is identified by its enclave key's address (keccak256 of the 64-byte public key).
/// The attestation verifier (an enclave that checks the hardware document, as Marlin's Oyster does)
/// signs EIP-712 `Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)` under this
/// contract's domain; the contract checks that one ECDSA signature. Leaders sign BatchHeaders,
/// heartbeats and AssignmentBatches under this contract's domain.
contract MatcherRegistry is Eip712, IMatcherRegistry {
    error NotOwner();
    /// @notice The enclave key is not 64 bytes (uncompressed secp256k1 point without the 0x04 prefix).
    error BadEnclaveKey();
    /// @notice The all-zero image is a debug measurement: never accepted.
    error ZeroImage();
    /// @notice The image is not whitelisted for this role.
    error ImageNotAllowed(bytes32 imageId);
    /// @notice The attestation is older than the freshness window, or from the future.
    error AttestationNotFresh(uint64 timestamp, uint64 now_);
    /// @notice The attestation's signer is not a trusted attestation verifier.
    error UntrustedAttestationVerifier(address signer);
    /// @notice msg.value must equal the matcher bond.
    error WrongBond(uint256 sent, uint256 bond);
    error AlreadyRegistered(address matcher);
    error NotRegistered(address matcher);
    /// @notice The matcher's bond was slashed: it can never lead again.
    error MatcherSlashed(address matcher);
    /// @notice The lease has not expired: nobody can claim it yet.
    error LeaseNotExpired(uint64 expiresAt);
    /// @notice Only the lease holder can renew, and only before expiry.
    error LeaseNotHeld(address caller, address leader);
    /// @notice The two headers are not an equivocation (different (term, seq) or the same hash).
    error NotEquivocation();
    /// @notice No leader is recorded for this term.
    error UnknownTerm(uint64 term);
    error NothingToWithdraw();
    /// @notice Only the operator that paid the matcher's bond may do this.
    error NotOperator(address caller, address operator);
    /// @notice The matcher already asked to exit.
    error AlreadyExiting(address matcher);
    /// @notice An exiting matcher cannot lead again.
    error MatcherExiting(address matcher);
    /// @notice The matcher has not asked to exit.
    error NotExiting(address matcher);
    /// @notice The bond stays slashable until `exitAt`.
    error ExitNotReady(uint64 exitAt);
    error TransferFailed(address to, uint256 amount);

    event AttestationVerifierSet(address indexed verifier, bool trusted);
    event MatcherImageSet(bytes32 indexed imageId, bool allowed);
    event ProverImageSet(bytes32 indexed imageId, bool allowed);
    event MatcherRegistered(address indexed matcher, address indexed operator, bytes32 imageId, bytes enclaveKey);
    event ProverAttested(address indexed prover, bytes32 imageId, bytes enclaveKey);
    event LeaseClaimed(address indexed leader, uint64 indexed term, uint64 expiresAt);
    event LeaseRenewed(address indexed leader, uint64 indexed term, uint64 expiresAt);
    event EquivocationSlashed(
        address indexed matcher, uint64 indexed term, uint64 seq, address reporter, uint256 bounty, uint256 toTreasury
    );
    event Withdrawn(address indexed account, uint256 amount);
    event MatcherExitRequested(address indexed matcher, uint64 exitAt);
    event BondReleased(address indexed matcher, address indexed operator, uint256 bond);

    /// @dev One slot: what the marketplace reads on every batch.
    struct Lease {
        address leader;
        uint64 term;
        uint32 expiresAt;
    }

    struct Matcher {
        address operator;
        uint96 bond;
        bytes32 imageId;
        bool slashed;
        /// @dev Zero while active; else when the bond may be withdrawn (it stays slashable until then).
        uint64 exitAt;
    }

    address public immutable owner;
    /// @notice Ether a matcher locks at registration; slashed on equivocation.
    uint256 public immutable MATCHER_BOND;
    /// @notice Seconds a claimed or renewed lease lasts.
    uint64 public immutable LEASE_DURATION_S;
    /// @notice Oldest attestation accepted, in seconds.
    uint64 public immutable ATTESTATION_MAX_AGE_S;
    /// @notice Seconds between an exit request and the bond's release: time to prove an equivocation.
    uint64 public immutable EXIT_DELAY_S;

    Lease private _lease;
    // attestation verifier key -> trusted
    mapping(address => bool) public trustedAttestationVerifiers;
    // image id -> whitelisted for matchers
    mapping(bytes32 => bool) public matcherImages;
    // image id -> whitelisted for TEE provers
    mapping(bytes32 => bool) public proverImages;
    // enclave address -> registration
    mapping(address => Matcher) public matchers;
    // prover enclave address -> attested image (zero: not attested)
    mapping(address => bytes32) public proverImageOf;
    // term -> its leader, so an equivocation can be proven after the term ended
    mapping(uint64 => address) public leaderOfTerm;
    // account -> ether it may withdraw (bounties, treasury)
    mapping(address => uint256) public withdrawable;

    constructor(address owner_, uint256 matcherBond, uint64 leaseDurationS, uint64 attestationMaxAgeS, uint64 exitDelayS) {
        owner = owner_;
        MATCHER_BOND = matcherBond;
        LEASE_DURATION_S = leaseDurationS;
        ATTESTATION_MAX_AGE_S = attestationMaxAgeS;
        EXIT_DELAY_S = exitDelayS;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Trust or distrust an attestation verifier key. Owner only.
    function setAttestationVerifier(address verifier, bool trusted) external onlyOwner {
        trustedAttestationVerifiers[verifier] = trusted;
        emit AttestationVerifierSet(verifier, trusted);
    }

    /// @notice Whitelist or remove a matcher image. Owner only; the zero image is refused at use.
    function setMatcherImage(bytes32 imageId, bool allowed) external onlyOwner {
        matcherImages[imageId] = allowed;
        emit MatcherImageSet(imageId, allowed);
    }

    /// @notice Whitelist or remove a TEE prover image. Owner only.
    function setProverImage(bytes32 imageId, bool allowed) external onlyOwner {
        proverImages[imageId] = allowed;
        emit ProverImageSet(imageId, allowed);
    }

    /// @notice Register a matcher enclave with its attestation and the bond (msg.value).
    /// @param enclaveKey The enclave's 64-byte uncompressed public key; its address is the matcher's id.
    /// @param att The attestation verifier's signature over (enclave key, image id, timestamp).
    function register(bytes calldata enclaveKey, Attestation calldata att) external payable returns (address matcher) {
        matcher = _checkAttestation(enclaveKey, att, matcherImages);
        if (msg.value != MATCHER_BOND) revert WrongBond(msg.value, MATCHER_BOND);
        if (matchers[matcher].operator != address(0)) revert AlreadyRegistered(matcher);
        matchers[matcher] =
            Matcher({operator: msg.sender, bond: uint96(msg.value), imageId: att.imageId, slashed: false, exitAt: 0});
        emit MatcherRegistered(matcher, msg.sender, att.imageId, enclaveKey);
    }

    /// @notice Record a TEE prover's attestation, for markets that require attested provers.
    function attestProver(bytes calldata enclaveKey, Attestation calldata att) external returns (address prover) {
        prover = _checkAttestation(enclaveKey, att, proverImages);
        proverImageOf[prover] = att.imageId;
        emit ProverAttested(prover, att.imageId, enclaveKey);
    }

    /// @notice Take the lease once the current one has expired: term + 1. Caller: a registered enclave.
    function claim() external returns (uint64 newTerm) {
        Matcher storage m = matchers[msg.sender];
        if (m.operator == address(0)) revert NotRegistered(msg.sender);
        if (m.slashed) revert MatcherSlashed(msg.sender);
        if (m.exitAt != 0) revert MatcherExiting(msg.sender);
        Lease memory l = _lease;
        if (block.timestamp < l.expiresAt) revert LeaseNotExpired(l.expiresAt);
        newTerm = l.term + 1;
        uint32 expiresAt = uint32(block.timestamp + LEASE_DURATION_S);
        _lease = Lease({leader: msg.sender, term: newTerm, expiresAt: expiresAt});
        leaderOfTerm[newTerm] = msg.sender;
        emit LeaseClaimed(msg.sender, newTerm, expiresAt);
    }

    /// @notice Extend the lease by LEASE_DURATION_S from now. Caller: the leader, before expiry.
    function renew() external {
        Lease memory l = _lease;
        if (msg.sender != l.leader || block.timestamp >= l.expiresAt) revert LeaseNotHeld(msg.sender, l.leader);
        uint32 expiresAt = uint32(block.timestamp + LEASE_DURATION_S);
        _lease.expiresAt = expiresAt;
        emit LeaseRenewed(msg.sender, l.term, expiresAt);
    }

    /// @notice Prove that a leader signed two different batch headers for one (term, seq): its bond
    /// is slashed (half to the reporter, half to the treasury) and its term ends now. Once per matcher.
    function reportEquivocation(BatchHeader calldata a, Sig calldata sigA, BatchHeader calldata b, Sig calldata sigB)
        external
    {
        if (a.term != b.term || a.seq != b.seq) revert NotEquivocation();
        bytes32 sep = _domainSeparator();
        bytes32 hashA = _digest(sep, Hashing.batchHeader(a));
        bytes32 hashB = _digest(sep, Hashing.batchHeader(b));
        if (hashA == hashB) revert NotEquivocation();
        address equivocator = leaderOfTerm[a.term];
        if (equivocator == address(0)) revert UnknownTerm(a.term);
        _checkSigner(hashA, sigA, equivocator);
        _checkSigner(hashB, sigB, equivocator);
        Matcher storage m = matchers[equivocator];
        if (m.slashed) revert MatcherSlashed(equivocator);
        uint256 bond = m.bond;
        uint256 bounty = bond / 2;
        m.slashed = true;
        m.bond = 0;
        withdrawable[msg.sender] += bounty;
        withdrawable[owner] += bond - bounty;
        // End its lease whichever term it holds now: a slashed matcher never leads again.
        if (_lease.leader == equivocator && _lease.expiresAt > block.timestamp) {
            _lease.expiresAt = uint32(block.timestamp);
        }
        emit EquivocationSlashed(equivocator, a.term, a.seq, msg.sender, bounty, bond - bounty);
    }

    /// @notice Leave: the matcher never leads again (a lease it holds ends now) and its bond is
    /// released to the operator after EXIT_DELAY_S, unless an equivocation is proven before. Operator only.
    function requestExit(address matcher) external {
        Matcher storage m = matchers[matcher];
        if (msg.sender != m.operator) revert NotOperator(msg.sender, m.operator);
        if (m.slashed) revert MatcherSlashed(matcher);
        if (m.exitAt != 0) revert AlreadyExiting(matcher);
        uint64 exitAt = uint64(block.timestamp) + EXIT_DELAY_S;
        m.exitAt = exitAt;
        if (_lease.leader == matcher && _lease.expiresAt > block.timestamp) _lease.expiresAt = uint32(block.timestamp);
        emit MatcherExitRequested(matcher, exitAt);
    }

    /// @notice Credit an exited matcher's bond to its operator's withdrawable balance. Operator only.
    function releaseBond(address matcher) external {
        Matcher storage m = matchers[matcher];
        if (msg.sender != m.operator) revert NotOperator(msg.sender, m.operator);
        if (m.slashed) revert MatcherSlashed(matcher);
        if (m.exitAt == 0) revert NotExiting(matcher);
        if (block.timestamp < m.exitAt) revert ExitNotReady(m.exitAt);
        uint256 bond = m.bond;
        if (bond == 0) revert NothingToWithdraw();
        m.bond = 0;
        withdrawable[msg.sender] += bond;
        emit BondReleased(matcher, msg.sender, bond);
    }

    /// @notice Withdraw the caller's payable balance (bounties; the owner's treasury).
    function withdraw() external {
        uint256 amount = withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        withdrawable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IMatcherRegistry
    function lease() external view returns (address, uint64, uint64) {
        Lease memory l = _lease;
        return (l.leader, l.term, l.expiresAt);
    }

    /// @notice The current leader (it may have expired: see leaseExpiresAt).
    function leader() external view returns (address) {
        return _lease.leader;
    }

    /// @notice The current term (0 before the first claim).
    function term() external view returns (uint64) {
        return _lease.term;
    }

    /// @notice When the current lease expires (chain seconds).
    function leaseExpiresAt() external view returns (uint64) {
        return _lease.expiresAt;
    }

    /// @inheritdoc IMatcherRegistry
    function isAttestedProver(address prover) external view returns (bool) {
        bytes32 image = proverImageOf[prover];
        return image != 0 && proverImages[image];
    }

    /// @inheritdoc IMatcherRegistry
    function domainSeparator() public view override(Eip712, IMatcherRegistry) returns (bytes32) {
        return _domainSeparator();
    }

    function _checkAttestation(bytes calldata enclaveKey, Attestation calldata att, mapping(bytes32 => bool) storage images)
        private
        view
        returns (address enclave)
    {
        if (enclaveKey.length != 64) revert BadEnclaveKey();
        if (att.imageId == 0) revert ZeroImage();
        if (!images[att.imageId]) revert ImageNotAllowed(att.imageId);
        if (att.timestamp > block.timestamp || block.timestamp - att.timestamp > ATTESTATION_MAX_AGE_S) {
            revert AttestationNotFresh(att.timestamp, uint64(block.timestamp));
        }
        address signer = _recover(_digest(_domainSeparator(), Hashing.attestation(enclaveKey, att.imageId, att.timestamp)), att.signature);
        if (!trustedAttestationVerifiers[signer]) revert UntrustedAttestationVerifier(signer);
        enclave = address(uint160(uint256(keccak256(enclaveKey))));
    }
}
