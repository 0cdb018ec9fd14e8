//! Collecting every invalid field of a request at once, so a 422 names all of them.

use minhu_types::FieldError;

#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, field: &str, ok: bool, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.fail(field, message);
        }
        self
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) -> &mut Self {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
        self
    }

    /// Text of `min..=max` characters (not bytes: 张 counts once) after trimming.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> &mut Self {
        let n = value.trim().chars().count();
        if n < min {
            self.fail(
                field,
                if min == 1 {
                    "不能为空".to_owned()
                } else {
                    format!("至少 {min} 个字符")
                },
            );
        } else if n > max {
            self.fail(field, format!("最多 {max} 个字符，当前 {n} 个"));
        }
        self
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes_and_reports_every_field() {
        let mut c = Checks::new();
        c.text("a", "张伟", 2, 2)
            .text("b", "   ", 1, 5)
            .text("c", "abcdef", 1, 5);
        let errors = c.finish().expect_err("b and c are invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c"]);
        assert!(errors[1].message.contains('6'));
    }
}
