//! The rewrite of the user's code that puts interrupt checks where Python keeps running:
//! every loop turn, every function call. It runs on the parsed tree before code
//! generation, so the checks cost what the cheapest Python can do, not a monitoring event.
//!
//! - `for target in iterable:` and every `for` of a comprehension or generator expression
//!   iterate `__rustpy_iterate__(iterable)`: a native iterator that hands on the items of
//!   `iterable` and counts toward a check. No instruction is added to the loop body.
//! - `while test: body else: orelse` becomes
//!   `for [] in __rustpy_forever__: if not test: orelse; break` followed by `body`: the
//!   endless native iterator counts, `for []` binds no name. `break` and `continue` in
//!   `body` keep their meaning; `while True:` loses its `if`. A `while` whose `else`
//!   holds a `break` or `continue` of an enclosing loop keeps its shape and calls
//!   `__rustpy_check__()` at the top of its body instead.
//! - A function's body (after its docstring), the body of an `async for` and a lambda's
//!   expression start with a call of `__rustpy_check__()`.
//!
//! The inserted code takes the location of the code it guards, so an interrupt's traceback
//! names the user's loop or the first line of the user's function. The three names are
//! builtins (`checks.rs`); they end in `__`, so a class body does not mangle them.

use ruff_python_ast::relocate::relocate_expr;
use ruff_python_ast::visitor::transformer::{
    Transformer, walk_comprehension, walk_expr, walk_stmt,
};
use ruff_python_ast::{Comprehension, Expr, Mod, Stmt, StmtFor, StmtWhile};
use ruff_text_size::{Ranged, TextRange};

/// The builtin that counts toward a check (and raises `KeyboardInterrupt` when the page
/// asked for one).
pub(crate) const CHECK: &str = "__rustpy_check__";
/// The builtin that wraps an iterable into an iterator that counts each item.
pub(crate) const ITERATE: &str = "__rustpy_iterate__";
/// The builtin endless iterator of empty tuples that counts each turn.
pub(crate) const FOREVER: &str = "__rustpy_forever__";

/// Puts the interrupt checks into `module` (see the module documentation).
pub(crate) fn add_interrupt_checks(module: &mut Mod) {
    let checks = Checks::new();
    match module {
        Mod::Module(module) => module.body.iter_mut().for_each(|s| checks.visit_stmt(s)),
        Mod::Expression(expression) => checks.visit_expr(&mut expression.body),
    }
}

/// The pieces of code the rewrite inserts, parsed once per rewrite and cloned.
struct Checks {
    /// `__rustpy_check__()` as a statement.
    check_statement: Stmt,
    /// `__rustpy_check__() or None`: a lambda's body goes in place of `None`.
    checked_lambda_body: Expr,
    /// `__rustpy_iterate__(None)`: the iterable goes in place of `None`.
    iterate_call: Expr,
    /// `for [] in __rustpy_forever__: if not None: break`: a `while`'s test goes in place
    /// of `None`, its `else` before the `break`, its body after the `if`.
    forever_loop: StmtFor,
}

/// A stand-in for an expression moved elsewhere.
fn moved() -> Expr {
    Expr::NoneLiteral(ruff_python_ast::ExprNoneLiteral::default())
}

/// Parses rustpy's own snippet (a bug in rustpy if it does not parse).
fn snippet(source: &str) -> Stmt {
    let parsed = ruff_python_parser::parse_module(source)
        .unwrap_or_else(|error| panic!("rustpy's snippet {source:?} does not parse: {error}"));
    parsed
        .into_syntax()
        .body
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("rustpy's snippet {source:?} is empty"))
}

/// The expression of an expression statement snippet.
fn expression(source: &str) -> Expr {
    match snippet(source) {
        Stmt::Expr(statement) => *statement.value,
        other => panic!("rustpy's snippet {source:?} is not an expression: {other:?}"),
    }
}

impl Checks {
    fn new() -> Self {
        let Stmt::For(forever_loop) = snippet(&format!(
            "for [] in {FOREVER}:\n    if not None:\n        break\n"
        )) else {
            panic!("rustpy's forever loop snippet is not a for loop");
        };
        Self {
            check_statement: snippet(&format!("{CHECK}()")),
            checked_lambda_body: expression(&format!("{CHECK}() or None")),
            iterate_call: expression(&format!("{ITERATE}(None)")),
            forever_loop,
        }
    }

    /// `__rustpy_check__()` located at `range`.
    fn check_at(&self, range: TextRange) -> Stmt {
        let mut statement = self.check_statement.clone();
        if let Stmt::Expr(expression) = &mut statement {
            expression.range = range;
            relocate_expr(&mut expression.value, range);
        }
        statement
    }

    /// `__rustpy_iterate__(iterable)`, located at `iterable`.
    fn iterate(&self, iterable: Expr) -> Expr {
        let range = iterable.range();
        let mut call = self.iterate_call.clone();
        relocate_expr(&mut call, range);
        if let Expr::Call(call) = &mut call
            && let Some(argument) = call.arguments.args.first_mut()
        {
            *argument = iterable;
        }
        call
    }

    /// Inserts a check at the top of `body` (after a docstring), located at the first
    /// statement it guards (`fallback` for an empty body).
    fn check_body(&self, body: &mut ruff_python_ast::Suite, fallback: TextRange) {
        let at = usize::from(body.first().is_some_and(is_docstring));
        let range = body.get(at).map_or(fallback, Ranged::range);
        body.insert(at, self.check_at(range));
    }

    /// The endless `for` that stands for `looping` (see the module documentation).
    fn forever(&self, looping: &mut StmtWhile) -> StmtFor {
        let range = looping.range;
        let mut forever = self.forever_loop.clone();
        forever.range = range;
        relocate_expr(&mut forever.target, range);
        relocate_expr(&mut forever.iter, range);
        let mut body = std::mem::take(&mut looping.body);
        if !is_true(&looping.test)
            && let Some(Stmt::If(mut exit)) = forever.body.pop()
        {
            exit.range = range;
            if let Expr::UnaryOp(not) = &mut *exit.test {
                not.range = looping.test.range();
                not.operand = std::mem::replace(&mut looping.test, Box::new(moved()));
            }
            let mut leave: Vec<Stmt> = std::mem::take(&mut looping.orelse).into_iter().collect();
            leave.extend(exit.body.drain(..).map(|mut stop| {
                if let Stmt::Break(stop) = &mut stop {
                    stop.range = range;
                }
                stop
            }));
            exit.body = leave.into_iter().collect();
            body.insert(0, Stmt::If(exit));
        }
        forever.body = body;
        forever
    }
}

impl Transformer for Checks {
    fn visit_stmt(&self, stmt: &mut Stmt) {
        walk_stmt(self, stmt);
        match stmt {
            Stmt::FunctionDef(function) => self.check_body(&mut function.body, function.range),
            Stmt::For(looping) if looping.is_async => {
                self.check_body(&mut looping.body, looping.range);
            }
            Stmt::For(looping) => {
                let iterable = std::mem::replace(&mut *looping.iter, moved());
                *looping.iter = self.iterate(iterable);
            }
            Stmt::While(looping) if jumps_out(&looping.orelse) => {
                self.check_body(&mut looping.body, looping.range);
            }
            Stmt::While(looping) => *stmt = Stmt::For(self.forever(looping)),
            _ => {}
        }
    }

    fn visit_expr(&self, expr: &mut Expr) {
        walk_expr(self, expr);
        if let Expr::Lambda(lambda) = expr {
            let range = lambda.body.range();
            let mut checked = self.checked_lambda_body.clone();
            relocate_expr(&mut checked, range);
            if let Expr::BoolOp(either) = &mut checked
                && let Some(value) = either.values.get_mut(1)
            {
                *value = std::mem::replace(&mut *lambda.body, moved());
            }
            *lambda.body = checked;
        }
    }

    fn visit_comprehension(&self, comprehension: &mut Comprehension) {
        walk_comprehension(self, comprehension);
        if !comprehension.is_async {
            let iterable = std::mem::replace(&mut comprehension.iter, moved());
            comprehension.iter = self.iterate(iterable);
        }
    }
}

/// A string literal as a body's first statement.
fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}

/// `True` (a `while True:` needs no exit test).
fn is_true(test: &Expr) -> bool {
    matches!(test, Expr::BooleanLiteral(literal) if literal.value)
}

/// Whether `body` holds a `break` or `continue` that belongs to the loop around it (not
/// to a loop, function or class inside `body`).
fn jumps_out(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Break(_) | Stmt::Continue(_) => true,
        Stmt::If(branch) => {
            jumps_out(&branch.body) || branch.elif_else_clauses.iter().any(|c| jumps_out(&c.body))
        }
        Stmt::With(with) => jumps_out(&with.body),
        Stmt::Try(attempt) => {
            jumps_out(&attempt.body)
                || jumps_out(&attempt.orelse)
                || jumps_out(&attempt.finalbody)
                || attempt.handlers.iter().any(|handler| {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    jumps_out(&handler.body)
                })
        }
        Stmt::Match(matching) => matching.cases.iter().any(|case| jumps_out(&case.body)),
        // A loop's own `else` runs outside that loop: its jumps are this loop's.
        Stmt::For(inner) => jumps_out(&inner.orelse),
        Stmt::While(inner) => jumps_out(&inner.orelse),
        _ => false,
    })
}
