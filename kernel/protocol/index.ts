/**
 * The protocol: the words, types, schemas and validators shared by the kernel, the CLI, the runtime and
 * the JupyterLab frontend. It depends on no other part of the project (no runtime, no Jupyter, no DOM),
 * so both sides compile it from source.
 */
export * from './vocabulary';
export * from './settings';
export * from './seed-mime';
export * from './seed-comm';
export * from './llm-tokens';
export * from './validate';
