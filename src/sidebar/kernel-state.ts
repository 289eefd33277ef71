/** What the sidebar knows about the kernel of the active notebook. */
export type PanelKernelState =
  { kind: 'no-notebook' } | { kind: 'other-kernel'; displayName: string } | { kind: 'seed'; status: string };
