import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as ts from '@tslab/typescript-for-tslab';
import { createConverter, Converter, Diagnostic, isCompleteCode } from 'tslab/dist/converter';
import { printQuickInfo } from 'tslab/dist/inspect';

/**
 * Runs TypeScript cells. tslab's converter type-checks a cell against the declarations of the
 * cells before it and turns it into CommonJS whose top-level names live on one shared `exports`
 * object; this module runs that code, keeps the declarations, and makes interrupts work.
 * (tslab's own executor prints results and errors to the console; the kernel needs them as
 * values to build execute_result and error messages, hence this executor.)
 */

/** The TypeScript compiler does not accept the cell; `lines` are its diagnostics, one per line. */
export class CompileError extends Error {
  constructor(readonly lines: string[]) {
    super(lines[0] ?? 'The cell does not compile.');
    this.name = 'TypeScriptError';
  }
}

/** The cell was stopped by an interrupt (Kernel > Interrupt, interrupt_request or SIGINT). */
export class InterruptedError extends Error {
  constructor(message = 'The cell was interrupted. The kernel is still running, with the state before this cell.') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export type CellOutcome = { hasValue: false } | { hasValue: true; value: unknown };

export interface CompletionResult {
  start: number;
  end: number;
  matches: string[];
}

export type IsCompleteStatus =
  { status: 'complete' } | { status: 'incomplete'; indent: string } | { status: 'invalid' };

/** The object through which compiled cells reach the shared exports and require. */
const CELL_CONTEXT = '__seed_kernel_cell__';

/** Rejects when the signal aborts, with the signal's reason. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new InterruptedError());
    if (signal.aborted) {
      fail();
    } else {
      signal.addEventListener('abort', fail, { once: true });
    }
  });
}

function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.fileName ? diagnostic.fileName + ' ' : ''}${diagnostic.start.line + 1}:${diagnostic.start.character + 1}`;
  return `${where} - ${diagnostic.messageText}`;
}

export interface ExecutorOptions {
  /** Folder relative imports and `require` resolve from (the notebook's folder). */
  rootDir: string;
  /** Declarations every cell is checked against, such as `declare global { const seed: ... }`. */
  prelude?: string;
  /** Globals every cell sees (the values of what `prelude` declares). */
  globals?: Record<string, unknown>;
  /** Called for `require('tslab')`, so tslab's display helpers reach this kernel. */
  tslabModule?: () => unknown;
}

export class TypeScriptExecutor {
  private readonly converter: Converter;
  private declarations = '';
  private readonly values: Record<string, unknown> = {};
  /** Local .ts/.js files a cell imports, compiled by the converter ("side outputs"), by path. */
  private readonly localSources = new Map<string, string>();
  private readonly localModules = new Map<string, Module>();
  private cellNumber = 0;

  constructor(private readonly options: ExecutorOptions) {
    this.converter = createConverter({ isJS: false, isBrowser: false });
    const exports = this.createExports();
    const require = this.createRequire(
      path.join(options.rootDir, 'cell.js'),
      Module.createRequire(path.join(options.rootDir, 'cell.js'))
    );
    (globalThis as Record<string, unknown>)[CELL_CONTEXT] = { exports, require };
    this.installGlobals();
  }

  /**
   * The converter rewrites `export` into `Object.defineProperty(exports, ...)` getters; storing
   * plain values instead keeps every top-level name rebindable by later cells.
   */
  private createExports(): Record<string, unknown> {
    const values = this.values;
    return new Proxy(values, {
      defineProperty(_target, property, attributes) {
        if (property !== '__esModule') {
          values[property as string] = attributes.get ? attributes.get() : attributes.value;
        }
        return true;
      }
    });
  }

  private installGlobals(): void {
    for (const [name, value] of Object.entries(this.options.globals ?? {})) {
      this.values[name] = value;
      (globalThis as Record<string, unknown>)[name] = value;
    }
  }

  /** A require that also loads the local TypeScript files cells import, and hooks `tslab`. */
  private createRequire(fromFile: string, base: NodeJS.Require): NodeJS.Require {
    const loadLocal = (id: string): unknown => {
      let file = path.resolve(path.dirname(fromFile), id);
      if (path.extname(file) === '') {
        file += '.js';
      }
      const loaded = this.localModules.get(file);
      if (loaded) {
        return loaded.exports;
      }
      const source = this.localSources.get(file);
      if (source === undefined) {
        return undefined;
      }
      const module = new Module(file);
      module.filename = file;
      module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
        path.dirname(file)
      );
      module.require = this.createRequire(file, Module.createRequire(file));
      (module as unknown as { _compile(code: string, file: string): void })._compile(source, file);
      this.localModules.set(file, module);
      return module.exports;
    };
    return new Proxy(base, {
      apply: (_target, thisArg, args: unknown[]) => {
        const id = args[0];
        if (id === 'tslab' && this.options.tslabModule) {
          return this.options.tslabModule();
        }
        if (typeof id === 'string' && (id.startsWith('./') || id.startsWith('../'))) {
          const local = loadLocal(id);
          if (local !== undefined) {
            return local;
          }
        }
        return Reflect.apply(base, thisArg, args);
      }
    });
  }

  private checkedAgainst(): string {
    return (this.options.prelude ?? '') + this.declarations;
  }

  /**
   * Type-checks and runs one cell. Resolves to the value of its last expression, if any; rejects
   * with CompileError, InterruptedError (when `signal` aborts) or whatever the cell threw.
   */
  async run(source: string, signal: AbortSignal): Promise<CellOutcome> {
    if (signal.aborted) {
      throw new InterruptedError();
    }
    const converted = this.converter.convert(this.checkedAgainst(), source);
    for (const side of converted.sideOutputs ?? []) {
      this.localModules.delete(side.path);
      this.localSources.set(side.path, side.data);
    }
    if (converted.diagnostics.length > 0) {
      throw new CompileError(converted.diagnostics.map(formatDiagnostic));
    }
    if (!converted.output) {
      this.declarations = converted.declOutput ?? '';
      return { hasValue: false };
    }
    this.cellNumber += 1;
    const opening = converted.hasToplevelAwait
      ? '(async function (exports, require) { '
      : '(function (exports, require) { ';
    const wrapped = `${opening}${converted.output}\n})(${CELL_CONTEXT}.exports, ${CELL_CONTEXT}.require)`;
    if (signal.aborted) {
      throw new InterruptedError();
    }
    let result: unknown;
    try {
      result = vm.runInThisContext(wrapped, { filename: `cell-${this.cellNumber}.js`, breakOnSigint: true });
    } catch (error) {
      throw this.asInterrupt(error);
    }
    if (converted.hasToplevelAwait) {
      const settled = Promise.race([result as Promise<unknown>, whenAborted(signal)]);
      await settled.catch((error: unknown) => {
        throw this.asInterrupt(error);
      });
    }
    this.declarations = converted.declOutput ?? '';
    const last = converted.lastExpressionVar;
    if (last && Object.prototype.hasOwnProperty.call(this.values, last)) {
      const value = this.values[last];
      delete this.values[last];
      return { hasValue: true, value };
    }
    return { hasValue: false };
  }

  /** vm's breakOnSigint throws a plain Error; it is an interrupt like the others. */
  private asInterrupt(error: unknown): unknown {
    if (error instanceof Error && /interrupted by `SIGINT`/.test(error.message)) {
      return new InterruptedError();
    }
    return error;
  }

  /**
   * Makes `name` a variable of type `typeText` holding `value` in the following cells, as if a
   * cell had declared it (used by `%seed ... --as NAME`).
   */
  async bind(name: string, value: unknown, typeText: string): Promise<void> {
    const slot = `__seed_binding_${name}`;
    (globalThis as Record<string, unknown>)[slot] = value;
    try {
      await this.run(`let ${name}: ${typeText} = (globalThis as any).${slot};`, new AbortController().signal);
    } finally {
      delete (globalThis as Record<string, unknown>)[slot];
    }
  }

  complete(source: string, cursor: number): CompletionResult {
    const info = this.converter.complete(this.checkedAgainst(), source, cursor);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  /** The type and documentation of the name at the cursor, as text, or undefined. */
  inspect(source: string, cursor: number): string | undefined {
    const info = this.converter.inspect(this.checkedAgainst(), source, cursor);
    return info ? printQuickInfo(info) : undefined;
  }

  /** Top-level names defined by the cells so far (and the globals). */
  get locals(): Readonly<Record<string, unknown>> {
    return this.values;
  }

  close(): void {
    this.converter.close();
  }
}

/** Whether the console should run `source` now or wait for more lines. */
export function isComplete(source: string): IsCompleteStatus {
  const tslab = isCompleteCode(source);
  if (!tslab.completed) {
    return { status: 'incomplete', indent: tslab.indent ?? '' };
  }
  // Parsed as a module so top-level await counts as valid, as it does in cells.
  const { diagnostics } = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleDetection: ts.ModuleDetectionKind.Force
    }
  });
  const syntaxError = (diagnostics ?? []).some((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  return syntaxError ? { status: 'invalid' } : { status: 'complete' };
}
