// Schedules on the server clock (internal to api/glue): the stored documents of crawlers with a
// Schedule and of ACTIVATED SCHEDULED triggers carry "NextFire" (epoch seconds, the next minute
// their cron expression names after the last change or firing); the scheduler thread
// (glue_schedule.cpp) fires each whose NextFire the server clock has reached, once, then sets
// the next one after the clock's now (a clock moved past several fire times fires once).
#pragma once

#include <string>

#include "api/glue/glue_json.h"
#include "common/clock.h"

namespace sealstack::api::glue {

// The cron expression a stored crawler or trigger document fires on now: a crawler's
// Schedule.ScheduleExpression when its State is SCHEDULED, an ACTIVATED SCHEDULED trigger's
// Schedule; "" when it does not fire.
std::string ActiveSchedule(const json::Value& doc);

// Sets doc's NextFire to the first minute after `now` that ActiveSchedule(doc) names, or
// removes it when there is none.
void SetNextFire(json::Document& doc, SystemTime now);

}  // namespace sealstack::api::glue
