// ServeRequest: one HTTP request on a connection, start to end: the parsed head becomes an
// Exchange, the handler fills in its response, and the response goes out (head and a small
// body in one write; a streamed body piece by piece behind it).
#pragma once

#include <functional>

#include "server/exchange.h"
#include "server/http_connection.h"

namespace sealstack::server {

using ExchangeHandler = std::function<void(Exchange&)>;

// Answers the request `connection` has just parsed (HttpConnection::NextRequest). Returns
// whether the connection can carry another request.
bool ServeRequest(HttpConnection& connection, const ExchangeHandler& handler);

// Requests whose handler is running, across all listeners.
int RequestsInFlight();

}  // namespace sealstack::server
