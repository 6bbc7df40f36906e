// Finding kinds are a stable public contract (JSON schema posrecon.reconcile/1): scripts key
// on these names. Order here is the report order.

export const EXCEPTION_KINDS = [
  'dropped_order',
  'unsettled_overdue',
  'amount_mismatch',
  'fee_mismatch',
  'net_mismatch',
  'duplicate_settlement',
  'void_settled',
  'extra_deduction',
  'ambiguous_match',
  'fee_unverified',
] as const;

export const INFORMATIONAL_KINDS = [
  'matched',
  'unsettled_pending',
  'fee_drift',
  'allowed_deduction',
  'voided',
  'no_settlement_expected',
  'duplicate_export',
] as const;

export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];
export type InformationalKind = (typeof INFORMATIONAL_KINDS)[number];
export type FindingKind = ExceptionKind | InformationalKind;

export const ALL_KINDS: readonly FindingKind[] = [...EXCEPTION_KINDS, ...INFORMATIONAL_KINDS];

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY: Record<FindingKind, Severity> = {
  dropped_order: 'error',
  unsettled_overdue: 'error',
  amount_mismatch: 'error',
  fee_mismatch: 'error',
  net_mismatch: 'error',
  duplicate_settlement: 'error',
  void_settled: 'error',
  extra_deduction: 'warning',
  ambiguous_match: 'warning',
  fee_unverified: 'warning',
  matched: 'info',
  unsettled_pending: 'info',
  fee_drift: 'info',
  allowed_deduction: 'info',
  voided: 'info',
  no_settlement_expected: 'info',
  duplicate_export: 'info',
};

/** One-line meaning of each kind, for help texts and report legends. */
export const KIND_TITLES: Record<FindingKind, string> = {
  dropped_order: 'Dropped orders (掉单): charged and settled, but the terminal shows failed or has no record',
  unsettled_overdue: 'Unsettled (未到账): successful on the terminal, no settlement by the contract date',
  amount_mismatch: 'Settled amount differs from the terminal amount',
  fee_mismatch: 'Fee differs from the contract',
  net_mismatch: 'Net differs from amount − fee on the settlement line',
  duplicate_settlement: 'Same transaction settled more than once',
  void_settled: 'Voided or reversed sale that settled anyway',
  extra_deduction: 'Non-sale deduction (押金, 服务费, 流量费 …) not allowed by the contract',
  ambiguous_match: 'More than one possible match: needs a person',
  fee_unverified: 'No contract rule covers this transaction: fee not checked',
  matched: 'Matched',
  unsettled_pending: 'Not yet due for settlement',
  fee_drift: 'Fees follow a different constant rate than the contract',
  allowed_deduction: 'Deduction allowed by the contract',
  voided: 'Voided or reversed sale, correctly not settled',
  no_settlement_expected: 'Failed, timed-out or non-settling terminal row, correctly not settled',
  duplicate_export: 'Row repeated in another input file (re-export), counted once',
};

export function isException(kind: FindingKind): boolean {
  return (EXCEPTION_KINDS as readonly string[]).includes(kind);
}
