//! Tensor-name templates of the workload program: literal text with `{expr}`
//! holes, where `expr` is integer arithmetic over the enclosing `repeat`
//! variables (`+ - * / %`, parentheses, unary minus), e.g. `"x.{l+1}.{(t+1)%16}"`.
//! Templates are parsed once, against the variables in scope, and evaluated
//! for every loop iteration.

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Int(i64),
    /// Index of the variable in the scope stack (outermost = 0).
    Var(usize),
    Neg(Box<Expr>),
    Bin(u8, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Hole(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text` with `scope` = variable names in scope, outermost first.
    pub fn parse(text: &str, scope: &[String]) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest.as_bytes()[open] == b'}' {
                return Err(format!("'{text}': '}}' without a matching '{{'"));
            }
            lit.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("'{text}': '{{' without a matching '}}'"))?;
            let src = &after[..close];
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            let expr = Parser::new(src, scope)
                .parse_all()
                .map_err(|e| format!("'{text}': in '{{{src}}}': {e}"))?;
            parts.push(Part::Hole(expr));
            rest = &after[close + 1..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Template {
            text: text.to_string(),
            parts,
        })
    }

    /// The name for one iteration; `env[i]` is the value of scope variable `i`.
    pub fn eval(&self, env: &[i64], out: &mut String) -> Result<(), String> {
        out.clear();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Hole(e) => {
                    let v = eval(e, env).map_err(|why| format!("'{}': {why}", self.text))?;
                    out.push_str(&v.to_string());
                }
            }
        }
        Ok(())
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

fn eval(e: &Expr, env: &[i64]) -> Result<i64, String> {
    Ok(match e {
        Expr::Int(v) => *v,
        Expr::Var(i) => env.get(*i).copied().unwrap_or(0),
        Expr::Neg(a) => eval(a, env)?
            .checked_neg()
            .ok_or_else(|| "arithmetic overflow".to_string())?,
        Expr::Bin(op, a, b) => {
            let (x, y) = (eval(a, env)?, eval(b, env)?);
            let r = match op {
                b'+' => x.checked_add(y),
                b'-' => x.checked_sub(y),
                b'*' => x.checked_mul(y),
                b'/' if y == 0 => return Err("division by zero".into()),
                b'%' if y == 0 => return Err("modulo by zero".into()),
                // Euclidean so that (t-1)%n wraps to n-1, as loop indices want.
                b'/' => x.checked_div_euclid(y),
                _ => x.checked_rem_euclid(y),
            };
            r.ok_or_else(|| "arithmetic overflow".to_string())?
        }
    })
}

/// Recursive descent over one hole's text.
struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    scope: &'a [String],
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, scope: &'a [String]) -> Parser<'a> {
        Parser {
            src: src.as_bytes(),
            pos: 0,
            scope,
        }
    }

    fn parse_all(mut self) -> Result<Expr, String> {
        let e = self.sum()?;
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(format!(
                "unexpected '{}' at position {}",
                self.src[self.pos] as char, self.pos
            ));
        }
        Ok(e)
    }

    fn skip_ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos] == b' ' {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.src.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut e = self.product()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.product()?));
        }
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while let Some(op @ (b'*' | b'/' | b'%')) = self.peek() {
            self.pos += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(b'(') => {
                self.pos += 1;
                let e = self.sum()?;
                if self.peek() != Some(b')') {
                    return Err(format!("expected ')' at position {}", self.pos));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.pos < self.src.len() && self.src[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
                let digits = String::from_utf8_lossy(&self.src[start..self.pos]);
                digits
                    .parse::<i64>()
                    .map(Expr::Int)
                    .map_err(|_| format!("number '{digits}' is too large"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.pos;
                while self.pos < self.src.len()
                    && (self.src[self.pos].is_ascii_alphanumeric() || self.src[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let name = String::from_utf8_lossy(&self.src[start..self.pos]);
                // Innermost binding wins (shadowing is rejected by the loader anyway).
                match self.scope.iter().rposition(|v| *v == name) {
                    Some(i) => Ok(Expr::Var(i)),
                    None if self.scope.is_empty() => Err(format!(
                        "unknown variable '{name}' (no repeat variable is in scope)"
                    )),
                    None => Err(format!(
                        "unknown variable '{name}' (in scope: {})",
                        self.scope.join(", ")
                    )),
                }
            }
            Some(c) => Err(format!(
                "expected a number, a variable or '(' at position {}, found '{}'",
                self.pos, c as char
            )),
            None => Err("expected a number, a variable or '(' but the expression ended".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn render(t: &str, vars: &[&str], env: &[i64]) -> String {
        let tpl = Template::parse(t, &scope(vars)).unwrap();
        let mut s = String::new();
        tpl.eval(env, &mut s).unwrap();
        s
    }

    #[test]
    fn holes_are_substituted_with_arithmetic() {
        assert_eq!(
            render("s.{b}.{h}.{k}", &["b", "h", "k"], &[1, 2, 3]),
            "s.1.2.3"
        );
        assert_eq!(render("x.{l+1}.{(t+1)%4}", &["l", "t"], &[2, 3]), "x.3.0");
        assert_eq!(render("x.{(t-1)%4}", &["t"], &[0]), "x.3");
        assert_eq!(render("w{2*l - -1}", &["l"], &[3]), "w7");
        assert_eq!(render("plain", &[], &[]), "plain");
    }

    #[test]
    fn errors_name_the_template_and_the_problem() {
        let e = Template::parse("s.{b+}", &scope(&["b"])).unwrap_err();
        assert!(
            e.contains("'s.{b+}'") && e.contains("expression ended"),
            "{e}"
        );
        let e = Template::parse("s.{q}", &scope(&["b", "h"])).unwrap_err();
        assert!(e.contains("unknown variable 'q' (in scope: b, h)"), "{e}");
        let e = Template::parse("s.{b", &scope(&["b"])).unwrap_err();
        assert!(e.contains("without a matching"), "{e}");
        let e = Template::parse("s.b}", &scope(&["b"])).unwrap_err();
        assert!(e.contains("without a matching"), "{e}");
        let t = Template::parse("s.{b/(b-b)}", &scope(&["b"])).unwrap();
        let mut out = String::new();
        let e = t.eval(&[3], &mut out).unwrap_err();
        assert!(e.contains("division by zero"), "{e}");
    }
}
