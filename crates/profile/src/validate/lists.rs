//! The company and the profile's lists the programme keeps: further
//! companies, access keys and comments.

use super::{NOTES_MAX_CHARS, check_lengths};
use crate::error::{Code, FieldError};
use crate::model::{
    AccessKey, CODE_MAX_CHARS, COMPANY_PART_MAX_CHARS, Comment, Company, MAX_ACCESS_KEYS,
    MAX_COMMENTS, MAX_OTHER_COMPANIES, Profile, TEXT_MAX_CHARS,
};
use crate::text::check_text;

/// A company's parts: each at most its length, one line of text.
pub(super) fn check_company(errors: &mut Vec<FieldError>, base: &str, company: &Company) {
    let parts = [
        ("name", company.name.as_ref()),
        ("organization_number", company.organization_number.as_ref()),
    ];
    check_lengths(errors, base, &COMPANY_PART_MAX_CHARS, &parts);
    for (name, value) in parts {
        if let Some(value) = value {
            errors.extend(
                check_text(&format!("{base}/{name}"), value, TEXT_MAX_CHARS, false)
                    .filter(|e| e.code != Code::TooLong),
            );
        }
    }
}

/// The further companies: at most [`MAX_OTHER_COMPANIES`] (a longer list is
/// refused whole), each valid as `company` is, each with a name, and no id
/// given twice among all the customer's companies.
pub(super) fn check_other_companies(errors: &mut Vec<FieldError>, profile: &Profile) {
    if profile.other_companies.len() > MAX_OTHER_COMPANIES {
        let error =
            FieldError::new("/other_companies", Code::TooMany).with("max", MAX_OTHER_COMPANIES);
        return errors.push(error);
    }
    let default_id = profile.company.as_ref().and_then(|c| c.id);
    for (i, company) in profile.other_companies.iter().enumerate() {
        let base = format!("/other_companies/{i}");
        check_company(errors, &base, company);
        if company.name.as_deref().is_none_or(str::is_empty) {
            errors.push(FieldError::new(format!("{base}/name"), Code::Required));
        }
        let earlier = profile.other_companies[..i].iter().map(|c| c.id);
        if let Some(id) = company.id
            && (default_id == Some(id) || earlier.clone().any(|other| other == Some(id)))
        {
            errors.push(FieldError::new(format!("{base}/id"), Code::Duplicate));
        }
    }
}

/// The programme's keys: at most [`MAX_ACCESS_KEYS`], each with a unique id
/// and a value.
pub(super) fn check_access_keys(errors: &mut Vec<FieldError>, keys: &[AccessKey]) {
    if keys.len() > MAX_ACCESS_KEYS {
        let error = FieldError::new("/access_keys", Code::TooMany).with("max", MAX_ACCESS_KEYS);
        return errors.push(error);
    }
    for (i, key) in keys.iter().enumerate() {
        let at = |part: &str| format!("/access_keys/{i}/{part}");
        if key.id.is_empty() {
            errors.push(FieldError::new(at("id"), Code::Required));
        } else if keys[..i].iter().any(|k| k.id == key.id) {
            errors.push(FieldError::new(at("id"), Code::Duplicate));
        } else {
            errors.extend(check_text(&at("id"), &key.id, CODE_MAX_CHARS, false));
        }
        if key.value.is_empty() {
            errors.push(FieldError::new(at("value"), Code::Required));
        } else {
            errors.extend(check_text(&at("value"), &key.value, TEXT_MAX_CHARS, false));
        }
        if let Some(description) = &key.description {
            errors.extend(check_text(
                &at("description"),
                description,
                TEXT_MAX_CHARS,
                false,
            ));
        }
    }
}

/// The staff's comments: at most [`MAX_COMMENTS`], each with a unique id and a text.
pub(super) fn check_comments(errors: &mut Vec<FieldError>, comments: &[Comment]) {
    if comments.len() > MAX_COMMENTS {
        let error = FieldError::new("/comments", Code::TooMany).with("max", MAX_COMMENTS);
        return errors.push(error);
    }
    for (i, comment) in comments.iter().enumerate() {
        let at = |part: &str| format!("/comments/{i}/{part}");
        if comments[..i].iter().any(|c| c.id == comment.id) {
            errors.push(FieldError::new(at("id"), Code::Duplicate));
        }
        if comment.text.is_empty() {
            errors.push(FieldError::new(at("text"), Code::Required));
        } else {
            errors.extend(check_text(
                &at("text"),
                &comment.text,
                NOTES_MAX_CHARS,
                true,
            ));
        }
        if let Some(created) = &comment.created
            && crate::dates::parse_instant(created, false).is_none()
        {
            errors.push(FieldError::new(at("created"), Code::InvalidDate));
        }
    }
}
