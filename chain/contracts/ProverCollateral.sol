// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Prover collateral: free (can back new assignments), locked (backs assigned requests), and
/// pending withdrawal (leaves after a delay, so a prover cannot run from an assignment it just took).
abstract contract ProverCollateral {
    /// @notice Free collateral is below what the operation needs.
    error InsufficientFreeCollateral(address prover, uint256 free, uint256 needed);
    /// @notice No collateral withdrawal is pending.
    error NothingPending();
    /// @notice The pending withdrawal's delay has not passed.
    error WithdrawalNotReady(uint64 readyAt);
    /// @notice An amount does not fit the packed 96-bit field (7.9e10 ether).
    error AmountTooLarge(uint256 amount);
    /// @notice Sending ether out failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice A zero amount where it makes no sense.
    error ZeroAmount();

    /// @notice Collateral was added to `prover`'s free balance.
    event CollateralDeposited(address indexed prover, uint256 amount, uint256 free);
    /// @notice Free collateral moved to pending; it can be withdrawn from `readyAt`.
    event CollateralWithdrawalRequested(address indexed prover, uint256 amount, uint64 readyAt);
    /// @notice Pending collateral left the contract.
    event CollateralWithdrawn(address indexed prover, uint256 amount);

    /// @dev One slot per prover: everything an assignment, fulfil or slash touches.
    struct ProverAccount {
        uint96 free;
        uint96 locked;
        uint64 withdrawableAt;
    }

    /// @notice Seconds between a withdrawal request and the withdrawal.
    uint64 public immutable COLLATERAL_WITHDRAWAL_DELAY_S;

    // prover -> free, locked, withdrawableAt
    mapping(address => ProverAccount) internal _provers;
    // prover -> collateral waiting for the delay
    mapping(address => uint256) internal _pending;

    constructor(uint64 withdrawalDelayS) {
        COLLATERAL_WITHDRAWAL_DELAY_S = withdrawalDelayS;
    }

    /// @notice Add `msg.value` to the caller's free collateral.
    function depositCollateral() external payable {
        if (msg.value == 0) revert ZeroAmount();
        ProverAccount storage a = _provers[msg.sender];
        uint256 free = uint256(a.free) + msg.value;
        a.free = _to96(free);
        emit CollateralDeposited(msg.sender, msg.value, free);
    }

    /// @notice Move `amount` of free collateral to pending; it can be withdrawn after the delay.
    /// @dev A new request restarts the delay for everything pending.
    function requestCollateralWithdrawal(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        ProverAccount storage a = _provers[msg.sender];
        if (a.free < amount) revert InsufficientFreeCollateral(msg.sender, a.free, amount);
        a.free -= uint96(amount);
        uint64 readyAt = uint64(block.timestamp) + COLLATERAL_WITHDRAWAL_DELAY_S;
        a.withdrawableAt = readyAt;
        _pending[msg.sender] += amount;
        emit CollateralWithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @notice Withdraw all pending collateral once its delay has passed.
    function withdrawCollateral() external {
        uint256 amount = _pending[msg.sender];
        if (amount == 0) revert NothingPending();
        uint64 readyAt = _provers[msg.sender].withdrawableAt;
        if (block.timestamp < readyAt) revert WithdrawalNotReady(readyAt);
        _pending[msg.sender] = 0;
        emit CollateralWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice A prover's collateral: free, locked, pending withdrawal, and when pending is withdrawable.
    function collateralOf(address prover)
        external
        view
        returns (uint256 free, uint256 locked, uint256 pending, uint64 withdrawableAt)
    {
        ProverAccount memory a = _provers[prover];
        return (a.free, a.locked, _pending[prover], a.withdrawableAt);
    }

    function _lockCollateral(address prover, uint256 amount) internal {
        ProverAccount storage a = _provers[prover];
        uint96 free = a.free;
        if (free < amount) revert InsufficientFreeCollateral(prover, free, amount);
        // Both fit: amount <= free < 2^96, and locked + free never exceeds what was deposited.
        a.free = free - uint96(amount);
        a.locked += uint96(amount);
    }

    function _unlockCollateral(address prover, uint256 amount) internal {
        ProverAccount storage a = _provers[prover];
        a.locked -= uint96(amount);
        a.free += uint96(amount);
    }

    function _seizeCollateral(address prover, uint256 amount) internal {
        _provers[prover].locked -= uint96(amount);
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    function _to96(uint256 x) internal pure returns (uint96) {
        if (x > type(uint96).max) revert AmountTooLarge(x);
        return uint96(x);
    }
}
