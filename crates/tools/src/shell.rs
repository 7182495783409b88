//! The shell-line reader: turns pasted text into commands the way a POSIX shell would.
//!
//! Learners paste lines from tutorials: `\` continuations, quotes, comments, `echo … |` pipes
//! and here-documents, often behind a `docker compose … exec kafka` prefix. This module only
//! splits and unquotes; [`crate::tool_name`] strips the prefixes.

/// One command line as a shell would run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// The commands joined by `|`, each as its words.
    pub stages: Vec<Vec<String>>,
    /// The body of a here-document given to the last stage (`<<EOF`).
    pub heredoc: Option<String>,
    /// `> FILE` (or `>> FILE`, appending): the last stage's output goes to the session's file.
    pub redirect: Option<Redirect>,
    /// The text of the command as typed (continuations joined), for echoing in transcripts.
    pub source: String,
}

/// Where `>` or `>>` sends a command's output: a file of the terminal session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub path: String,
    pub append: bool,
}

/// A reader over a script or a terminal's pasted text.
pub struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

/// Why a line could not be split, in the words of a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellError(pub String);

impl Lexer {
    pub fn new(text: &str) -> Self {
        Lexer { chars: text.chars().collect(), pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    /// The text not read yet (what a script runs after a command that keeps running).
    pub fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }

    /// The raw lines after the current position up to (not including) a line `^D`, or to the end:
    /// what a console producer reads when a script types its input.
    pub fn take_input_lines(&mut self) -> String {
        let mut input = String::new();
        while !self.at_end() {
            let line = self.raw_line();
            if line.trim() == "^D" {
                break;
            }
            input.push_str(&line);
            input.push('\n');
        }
        input
    }

    fn raw_line(&mut self) -> String {
        let start = self.pos;
        while self.pos < self.chars.len() && self.chars[self.pos] != '\n' {
            self.pos += 1;
        }
        let line: String = self.chars[start..self.pos].iter().collect();
        self.pos = (self.pos + 1).min(self.chars.len());
        line.trim_end_matches('\r').to_string()
    }

    /// The next command, or `None` at the end. Blank lines and comments are skipped.
    pub fn next_pipeline(&mut self) -> Option<Result<Pipeline, ShellError>> {
        loop {
            if self.at_end() {
                return None;
            }
            let start = self.pos;
            match self.read_pipeline() {
                Ok(p) if p.stages.is_empty() => continue,
                Ok(mut p) => {
                    if p.source.is_empty() {
                        p.source = self.chars[start..self.pos].iter().collect::<String>().trim().to_string();
                    }
                    return Some(Ok(p));
                }
                Err(e) => {
                    // Skip the rest of the offending line, as a shell does after a syntax error.
                    if self.pos == start || self.chars.get(self.pos - 1) != Some(&'\n') {
                        while self.pos < self.chars.len() && self.chars[self.pos] != '\n' {
                            self.pos += 1;
                        }
                        self.pos = (self.pos + 1).min(self.chars.len());
                    }
                    return Some(Err(e));
                }
            }
        }
    }

    fn read_pipeline(&mut self) -> Result<Pipeline, ShellError> {
        let start = self.pos;
        let mut stages: Vec<Vec<String>> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut heredoc: Option<(String, bool)> = None;
        let mut redirect: Option<Redirect> = None;
        let mut end = self.pos;
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            match c {
                '\n' | ';' => {
                    end = self.pos;
                    self.pos += 1;
                    break;
                }
                ' ' | '\t' | '\r' => self.pos += 1,
                '\\' if self.peek(1) == Some('\n') => self.pos += 2,
                '\\' if self.peek(1) == Some('\r') && self.peek(2) == Some('\n') => self.pos += 3,
                '#' => {
                    while self.pos < self.chars.len() && self.chars[self.pos] != '\n' {
                        self.pos += 1;
                    }
                }
                '|' if self.peek(1) == Some('|') => return Err(ShellError("`||` is not supported here".into())),
                '|' => {
                    if words.is_empty() {
                        return Err(ShellError("syntax error near unexpected token `|'".into()));
                    }
                    stages.push(std::mem::take(&mut words));
                    self.pos += 1;
                }
                '&' if self.peek(1) == Some('&') => {
                    end = self.pos;
                    self.pos += 2;
                    break;
                }
                '<' if self.peek(1) == Some('<') => {
                    self.pos += 2;
                    let strip_tabs = self.peek(0) == Some('-');
                    if strip_tabs {
                        self.pos += 1;
                    }
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.pos += 1;
                    }
                    let delimiter = self.word()?;
                    if delimiter.is_empty() {
                        return Err(ShellError("syntax error near unexpected token `newline'".into()));
                    }
                    heredoc = Some((delimiter, strip_tabs));
                }
                '>' => {
                    let append = self.peek(1) == Some('>');
                    self.pos += if append { 2 } else { 1 };
                    while matches!(self.peek(0), Some(' ' | '\t')) {
                        self.pos += 1;
                    }
                    let path = self.word()?;
                    if path.is_empty() || redirect.is_some() {
                        return Err(ShellError("syntax error near unexpected token `>'".into()));
                    }
                    redirect = Some(Redirect { path, append });
                }
                '<' | '&' | '(' | ')' | '`' => {
                    return Err(ShellError(format!("`{c}` (redirection or subshell) is not supported here")));
                }
                _ => words.push(self.word()?),
            }
            end = self.pos;
        }
        if !words.is_empty() {
            stages.push(words);
        } else if !stages.is_empty() {
            return Err(ShellError("syntax error: a pipe `|` needs a command after it".into()));
        }
        let text: String = self.chars[start..end].iter().collect();
        let source = text.split("\\\n").map(str::trim).collect::<Vec<_>>().join(" ");
        let body = match heredoc {
            Some((delimiter, strip_tabs)) => Some(self.heredoc_body(&delimiter, strip_tabs)?),
            None => None,
        };
        Ok(Pipeline { stages, heredoc: body, redirect, source })
    }

    fn heredoc_body(&mut self, delimiter: &str, strip_tabs: bool) -> Result<String, ShellError> {
        let mut body = String::new();
        loop {
            if self.at_end() {
                return Err(ShellError(format!("{HEREDOC_AT_EOF} (wanted `{delimiter}`)")));
            }
            let line = self.raw_line();
            let line = if strip_tabs { line.trim_start_matches('\t').to_string() } else { line };
            if line == delimiter {
                return Ok(body);
            }
            body.push_str(&line);
            body.push('\n');
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    /// One word: unquoted runs, `'…'`, `"…"` and backslash escapes, concatenated.
    fn word(&mut self) -> Result<String, ShellError> {
        let mut word = String::new();
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '|' | '<' | '>' | '&' => break,
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(next) => word.push(next),
                        None => {}
                    }
                    self.pos = (self.pos + 2).min(self.chars.len());
                }
                '\'' => {
                    self.pos += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(ShellError("unexpected EOF while looking for matching `''".into())),
                            Some('\'') => break,
                            Some(ch) => word.push(ch),
                        }
                        self.pos += 1;
                    }
                    self.pos += 1;
                }
                '"' => {
                    self.pos += 1;
                    loop {
                        match self.peek(0) {
                            None => return Err(ShellError("unexpected EOF while looking for matching `\"'".into())),
                            Some('"') => break,
                            Some('\\') if matches!(self.peek(1), Some('"' | '\\' | '$' | '`')) => {
                                word.push(self.peek(1).unwrap_or('\\'));
                                self.pos += 1;
                            }
                            Some('\\') if self.peek(1) == Some('\n') => self.pos += 1,
                            Some(ch) => word.push(ch),
                        }
                        self.pos += 1;
                    }
                    self.pos += 1;
                }
                _ => {
                    word.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(word)
    }
}

/// How a here-document without its closing line fails.
const HEREDOC_AT_EOF: &str = "here-document delimited by end-of-file";

/// Whether `text` stops inside a here-document (`cat > f <<EOF` and not yet `EOF`): a terminal
/// typing line by line reads on before running it, as a shell does.
pub fn unfinished(text: &str) -> bool {
    let mut lexer = Lexer::new(text);
    while let Some(next) = lexer.next_pipeline() {
        if matches!(next, Err(ShellError(message)) if message.starts_with(HEREDOC_AT_EOF)) {
            return true;
        }
    }
    false
}

/// What `echo` prints (`-n`, `-e` and `-ne` understood, as bash's builtin does).
pub fn echo(args: &[String]) -> String {
    let (mut newline, mut escapes, mut i) = (true, false, 0);
    while let Some(flag) =
        args.get(i).filter(|a| a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)))
    {
        for c in flag[1..].chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    let text = args[i..].join(" ");
    let mut out = if escapes { unescape(&text) } else { text };
    if newline {
        out.push('\n');
    }
    out
}

/// What `printf FORMAT ARGS…` prints: backslash escapes and `%s`/`%d`/`%%`, the format reused
/// while arguments remain, as the shell does.
pub fn printf(args: &[String]) -> String {
    let Some(format) = args.first() else { return String::new() };
    let format = unescape(format);
    let mut rest = args[1..].iter();
    let mut out = String::new();
    loop {
        let mut consumed = false;
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('s' | 'd' | 'b') => {
                    consumed = true;
                    out.push_str(rest.next().map(String::as_str).unwrap_or(""));
                }
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        if !consumed || rest.len() == 0 {
            return out;
        }
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Pipeline> {
        let mut lexer = Lexer::new(text);
        std::iter::from_fn(|| lexer.next_pipeline()).map(Result::unwrap).collect()
    }

    #[test]
    fn continuations_quotes_and_comments() {
        let p = all("# make it\nkafka-topics.sh \\\n  --create --topic 'a b' \"--x=\\\"y\\\"\" # trailing\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].stages, vec![vec!["kafka-topics.sh", "--create", "--topic", "a b", "--x=\"y\""]]);
        assert_eq!(p[0].source, "kafka-topics.sh --create --topic 'a b' \"--x=\\\"y\\\"\" # trailing");
    }

    #[test]
    fn pipes_and_heredocs() {
        let p = all("echo 'k:v' | kafka-console-producer --topic t\ncat <<-EOF | x\n\tone\n\ttwo\n\tEOF\nnext");
        assert_eq!(p[0].stages.len(), 2);
        assert_eq!(p[1].heredoc.as_deref(), Some("one\ntwo\n"));
        assert_eq!(p[2].stages, vec![vec!["next"]]);
    }

    #[test]
    fn output_redirection_to_a_file() {
        let p = all("cat > reassign.json <<EOF\n{\"version\":1}\nEOF\necho hi >> notes.txt");
        assert_eq!(p[0].stages, vec![vec!["cat"]]);
        assert_eq!(p[0].redirect, Some(Redirect { path: "reassign.json".into(), append: false }));
        assert_eq!(p[0].heredoc.as_deref(), Some("{\"version\":1}\n"));
        assert_eq!(p[1].redirect, Some(Redirect { path: "notes.txt".into(), append: true }));
        assert!(Lexer::new("echo a > ").next_pipeline().unwrap().is_err());
    }

    #[test]
    fn a_here_document_is_unfinished_until_its_delimiter() {
        assert!(unfinished("cat > f.json <<EOF\n{"));
        assert!(!unfinished("cat > f.json <<EOF\n{\nEOF"));
        assert!(!unfinished("echo '{}' > f.json"));
    }

    #[test]
    fn errors_are_shell_messages() {
        let mut lexer = Lexer::new("echo 'open");
        assert!(lexer.next_pipeline().unwrap().is_err());
        let mut lexer = Lexer::new("a | \na || b\nc < d\nok");
        assert!(lexer.next_pipeline().unwrap().is_err());
        assert!(lexer.next_pipeline().unwrap().is_err());
        assert!(lexer.next_pipeline().unwrap().is_err());
        assert_eq!(lexer.next_pipeline().unwrap().unwrap().stages, vec![vec!["ok"]]);
        assert!(lexer.next_pipeline().is_none());
    }

    #[test]
    fn echo_and_printf() {
        let words = |s: &[&str]| s.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(echo(&words(&["-e", "a\\nb"])), "a\nb\n");
        assert_eq!(echo(&words(&["-n", "x"])), "x");
        assert_eq!(printf(&words(&["%s\\n", "a", "b"])), "a\nb\n");
        assert_eq!(printf(&words(&["k1:v1\\nk2:v2\\n"])), "k1:v1\nk2:v2\n");
    }
}
