//! `kafkalab scenarios`: the built-in scenarios under the picker's headings, with their titles.

use super::CmdResult;
use clap::Parser;
use kafkalab_engine::lesson;
use kafkalab_engine::scenario::Category;

#[derive(Parser, Debug)]
pub struct Args {
    /// Language of the titles
    #[arg(long, default_value = "en", value_parser = ["ko", "en"])]
    pub lang: String,
}

pub fn run(args: Args) -> CmdResult {
    let scenarios = lesson::builtin_scenarios().map_err(|e| e.to_string())?;
    for category in Category::ALL {
        let mut in_category = scenarios.iter().filter(|s| s.category == category).peekable();
        if in_category.peek().is_none() {
            continue;
        }
        println!("{}:", category.name());
        for s in in_category {
            println!("  {:<36} {}", s.name, s.title.get(&args.lang));
        }
    }
    Ok(())
}
