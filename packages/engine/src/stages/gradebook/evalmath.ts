/**
 * Moodle's grade calculation formulas: `calc_formula` (`lib/mathslib.php`) over the EvalMath class Moodle ships
 * (`lib/evalmath/evalmath.class.php`, "heavily modified … to get useful spreadsheet emulation"). A formula such as
 * `=sum(gi12, gi13)/2` is turned into postfix once (`EvalMath::nfx`) and evaluated per user with the user's final
 * grades as variables (`EvalMath::pfx`). Errors (syntax, unknown variable, division by zero) make `evaluate()`
 * return `false`, as Moodle's does. As in `calc_formula`: no constants, no implicit multiplication, no user-defined
 * functions or assignments.
 *
 * `rand_int` / `rand_float` draw from `microtime()` in Moodle and cannot be reproduced: {@link CalcFormula.random}
 * tells the caller so.
 */

/** A postfix token: a number or variable name, an operator, or a function call. */
type Token = string | { readonly fnn: string; readonly argcount: number };

const NAME = '[a-z][a-z0-9_]*';
const OPS = ['+', '-', '*', '/', '^', '_'];
const RIGHT_ASSOC: Record<string, boolean> = { '+': false, '-': false, '*': false, '/': false, '^': true };
const PRECEDENCE: Record<string, number> = { '+': 0, '-': 0, '*': 1, '/': 1, _: 1, '^': 2 };
/** EvalMath's `$fb`: one-argument PHP functions. */
const BUILTIN = new Set([
  'sin',
  'sinh',
  'arcsin',
  'asin',
  'arcsinh',
  'asinh',
  'cos',
  'cosh',
  'arccos',
  'acos',
  'arccosh',
  'acosh',
  'tan',
  'tanh',
  'arctan',
  'atan',
  'arctanh',
  'atanh',
  'sqrt',
  'abs',
  'ln',
  'log',
  'exp',
  'floor',
  'ceil',
]);
/** EvalMath's `$fc`: spreadsheet functions and their allowed argument counts (-1: any number above 0). */
const CALC: Record<string, number[]> = {
  average: [-1],
  max: [-1],
  min: [-1],
  mod: [2],
  pi: [0],
  power: [2],
  round: [1, 2],
  sum: [-1],
  rand_int: [2],
  rand_float: [0],
};
const MATH: Record<string, (x: number) => number> = {
  sin: Math.sin,
  sinh: Math.sinh,
  asin: Math.asin,
  asinh: Math.asinh,
  cos: Math.cos,
  cosh: Math.cosh,
  acos: Math.acos,
  acosh: Math.acosh,
  tan: Math.tan,
  tanh: Math.tanh,
  atan: Math.atan,
  atanh: Math.atanh,
  sqrt: Math.sqrt,
  abs: Math.abs,
  log: Math.log,
  exp: Math.exp,
  floor: Math.floor,
  ceil: Math.ceil,
};

/** `calc_formula`: a formula with its leading `=`. */
export class CalcFormula {
  readonly #postfix: Token[] | false;
  /** Why the formula cannot be evaluated, when it cannot (`get_error()`). */
  error: string | false = false;

  constructor(formula: string) {
    if (!formula.startsWith('=')) {
      this.error = "missing leading '='";
      this.#postfix = false;
      return;
    }
    const body = formula.slice(1);
    if (body.includes('=')) {
      this.error = "too many '='";
      this.#postfix = false;
      return;
    }
    const result = nfx(body);
    this.#postfix = typeof result === 'string' ? false : result;
    if (typeof result === 'string') this.error = result;
  }

  /** True when the formula draws random numbers (Moodle's value cannot be reproduced). */
  get random(): boolean {
    return (
      this.#postfix !== false &&
      this.#postfix.some((t) => typeof t !== 'string' && (t.fnn === 'rand_int' || t.fnn === 'rand_float'))
    );
  }

  /** `calc_formula::evaluate()` with `params` (variable → value): the number, or `false` on error. */
  evaluate(params: Readonly<Record<string, number>>): number | false {
    if (this.#postfix === false) return false;
    return pfx(this.#postfix, params);
  }
}

// Internal helpers

/** `EvalMath::nfx()`: infix to postfix; a string is the error. */
function nfx(input: string): Token[] | string {
  const expr = input.toLowerCase().trim();
  const stack: Array<string | number> = [];
  const last = (n = 1): string | number | null => (stack.length - n >= 0 ? stack[stack.length - n]! : null);
  const output: Token[] = [];
  let index = 0;
  let expectingOp = false;
  const illegal = /[^\w\s+*^/().,-]/.exec(expr);
  if (illegal) return `illegal character ${illegal[0]}`;
  const isFunctionMark = (value: string | number | null): RegExpExecArray | null =>
    typeof value === 'string' ? new RegExp(`^(${NAME})\\($`).exec(value) : null;
  for (;;) {
    const op = expr.charAt(index);
    const match = new RegExp(`^(${NAME}\\(?|\\d+(?:\\.\\d*)?(?:(e[+-]?)\\d*)?|\\.\\d+|\\()`).exec(expr.slice(index));
    if (op === '-' && !expectingOp) {
      stack.push('_'); // a negation
      index++;
    } else if (op === '_') {
      return 'illegal character _';
    } else if ((OPS.includes(op) || match) && expectingOp) {
      if (match) return 'implicit multiplication not allowed';
      while (stack.length > 0) {
        const o2 = last();
        if (typeof o2 !== 'string' || !OPS.includes(o2)) break;
        if (RIGHT_ASSOC[op] ? PRECEDENCE[op]! < PRECEDENCE[o2]! : PRECEDENCE[op]! <= PRECEDENCE[o2]!)
          output.push(stack.pop() as string);
        else break;
      }
      stack.push(op);
      index++;
      expectingOp = false;
    } else if (op === ')' && expectingOp) {
      for (;;) {
        const o2 = stack.pop();
        if (o2 === undefined) return 'unexpected closing bracket';
        if (o2 === '(') break;
        output.push(o2 as string);
      }
      const fn = isFunctionMark(last(2));
      if (fn) {
        const fnn = fn[1]!;
        const argcount = stack.pop() as number;
        stack.pop();
        output.push({ fnn, argcount });
        if (BUILTIN.has(fnn)) {
          if (argcount > 1) return 'wrong number of arguments';
        } else if (fnn in CALC) {
          const counts = CALC[fnn]!;
          if (!(counts.includes(-1) && argcount > 0) && !counts.includes(argcount)) return 'wrong number of arguments';
        } else {
          return 'internal error';
        }
      }
      index++;
    } else if (op === ',' && expectingOp) {
      for (;;) {
        const o2 = stack.pop();
        if (o2 === undefined) return 'unexpected comma';
        if (o2 === '(') break;
        output.push(o2 as string);
      }
      if (!isFunctionMark(last(2))) return 'unexpected comma';
      stack.push((stack.pop() as number) + 1); // one more argument
      stack.push('(');
      index++;
      expectingOp = false;
    } else if (op === '(' && !expectingOp) {
      stack.push('(');
      index++;
    } else if (match && !expectingOp) {
      expectingOp = true;
      let value = match[1]!;
      const fn = new RegExp(`^(${NAME})\\($`).exec(value);
      if (fn) {
        if (BUILTIN.has(fn[1]!) || fn[1]! in CALC) {
          stack.push(value, 1, '(');
          expectingOp = false;
        } else {
          // A variable followed by "(": implicit multiplication, refused at the next character.
          value = fn[1]!;
          output.push(value);
        }
      } else {
        output.push(value);
      }
      index += value.length;
    } else if (op === ')') {
      // A function without arguments, or an error.
      // PHP's loose `!= 1`: the argument count on the stack may be the number 1 or the text '1'.
      // biome-ignore lint/suspicious/noDoubleEquals: PHP's EvalMath compares loosely here
      if (last() !== '(' || last(2) != 1) return 'unexpected closing bracket';
      const fn = isFunctionMark(last(3));
      if (!fn) return 'unexpected closing bracket';
      stack.pop();
      stack.pop();
      stack.pop();
      const fnn = fn[1]!;
      if (!(CALC[fnn] ?? []).includes(0)) return 'wrong number of arguments';
      output.push({ fnn, argcount: 0 });
      index++;
      expectingOp = true;
    } else if (OPS.includes(op) && !expectingOp) {
      return `unexpected operator ${op}`;
    } else {
      return 'an unexpected error occurred';
    }
    if (index === expr.length) {
      if (OPS.includes(op)) return `operator ${op} lacks operand`;
      break;
    }
    while (expr.charAt(index) === ' ') index++;
  }
  for (let op = stack.pop(); op !== undefined; op = stack.pop()) {
    if (op === '(') return 'expecting a closing bracket';
    output.push(op as string);
  }
  return output;
}

/** `EvalMath::pfx()`: evaluates postfix tokens; `false` on error. */
function pfx(tokens: readonly Token[], vars: Readonly<Record<string, number>>): number | false {
  const stack: number[] = [];
  for (const token of tokens) {
    if (typeof token !== 'string') {
      let fnn = token.fnn;
      if (BUILTIN.has(fnn)) {
        const op1 = stack.pop();
        if (op1 === undefined) return false;
        fnn = fnn.replace(/^arc/, 'a');
        if (fnn === 'ln') fnn = 'log';
        stack.push(MATH[fnn]!(op1));
      } else {
        const args: number[] = [];
        for (let i = 0; i < token.argcount; i++) {
          const value = stack.pop();
          if (value === undefined) return false;
          args.unshift(value);
        }
        const result = calcFunction(fnn, args);
        if (result === false) return false;
        stack.push(result);
      }
    } else if (token === '+' || token === '-' || token === '*' || token === '/' || token === '^') {
      const op2 = stack.pop();
      const op1 = stack.pop();
      if (op2 === undefined || op1 === undefined) return false;
      if (token === '+') stack.push(op1 + op2);
      else if (token === '-') stack.push(op1 - op2);
      else if (token === '*') stack.push(op1 * op2);
      else if (token === '/') {
        if (op2 === 0) return false; // division by zero
        stack.push(op1 / op2);
      } else stack.push(op1 ** op2);
    } else if (token === '_') {
      stack.push(-1 * (stack.pop() ?? 0));
    } else if (isNumeric(token)) {
      stack.push(Number(token));
    } else if (Object.hasOwn(vars, token)) {
      stack.push(vars[token]!);
    } else {
      return false; // undefined variable
    }
  }
  return stack.length === 1 ? stack[0]! : false;
}

/** PHP's `is_numeric()` for EvalMath's number tokens. */
function isNumeric(token: string): boolean {
  return /^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/.test(token);
}

/** `EvalMathFuncs`. */
function calcFunction(fnn: string, args: number[]): number | false {
  switch (fnn) {
    case 'sum':
      return args.reduce((s, a) => s + a, 0);
    case 'average':
      return args.reduce((s, a) => s + a, 0) / args.length;
    case 'max': {
      let res = args[args.length - 1]!;
      for (const a of args.slice(0, -1)) if (res < a) res = a;
      return res;
    }
    case 'min': {
      let res = args[args.length - 1]!;
      for (const a of args.slice(0, -1)) if (res > a) res = a;
      return res;
    }
    case 'mod': {
      // PHP's % works on integers; a zero divisor throws in PHP 8 (treated as an error here).
      const divisor = Math.trunc(args[1]!);
      if (divisor === 0) return false;
      return Math.trunc(args[0]!) % divisor;
    }
    case 'pi':
      return Math.PI;
    case 'power':
      return args[0]! ** args[1]!;
    case 'round':
      return phpRound(args[0]!, Math.trunc(args[1] ?? 0));
    default:
      return false; // rand_int / rand_float: not reproducible
  }
}

/** PHP's `round()` (half away from zero, pre-rounded to 15 significant digits). */
function phpRound(value: number, places: number): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** places;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 ? -rounded : rounded;
}
