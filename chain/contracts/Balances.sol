// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ProverCollateral} from "./ProverCollateral.sol";

/// @title Free balances (a requester's deposit and anyone's payable earnings, one pull-payment
/// balance per address) and the treasury.
abstract contract Balances is ProverCollateral {
    /// @notice The free balance is below what the operation needs.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice Only the owner may do this.
    error NotOwner();

    /// @notice Ether was added to `account`'s free balance.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Ether left `account`'s free balance to its address.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice The treasury was paid out.
    event TreasuryWithdrawn(address indexed to, uint256 amount);

    /// @notice Receives the treasury (slash cuts).
    address public immutable owner;
    /// @notice Free balance per address: deposits, refunds and earnings. Escrow is never in here.
    mapping(address => uint256) public balanceOf;
    /// @notice Protocol share of slashed collateral.
    uint256 public treasury;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Add `msg.value` to the caller's free balance (pays for requests signed off-chain).
    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraw `amount` of the caller's free balance. Escrowed funds are not free.
    function withdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Pay the whole treasury to `to`. Owner only.
    function withdrawTreasury(address to) external {
        if (msg.sender != owner) revert NotOwner();
        uint256 amount = treasury;
        if (amount == 0) revert ZeroAmount();
        treasury = 0;
        emit TreasuryWithdrawn(to, amount);
        _send(to, amount);
    }

    /// @notice Free balance and collateral of many accounts in one call (watchers and tests).
    /// @return free Free balances; collateral Free, locked, pending per account, flattened by 3.
    function accountsOf(address[] calldata accounts)
        external
        view
        returns (uint256[] memory free, uint256[] memory collateral)
    {
        free = new uint256[](accounts.length);
        collateral = new uint256[](accounts.length * 3);
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            free[i] = balanceOf[a];
            ProverAccount memory p = _provers[a];
            collateral[3 * i] = p.free;
            collateral[3 * i + 1] = p.locked;
            collateral[3 * i + 2] = _pending[a];
        }
    }
}
